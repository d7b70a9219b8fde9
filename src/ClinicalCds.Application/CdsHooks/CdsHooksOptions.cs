using ClinicalCds.Domain.Risks;
namespace ClinicalCds.Application.CdsHooks;

/// <summary>
/// A CDS Client we trust: its JWT issuer, where its public keys are (a JWKS URL, or a JWKS file exchanged out of band),
/// and optionally its tenant.
/// </summary>
public sealed class TrustedCdsClient
{
    public string Issuer { get; set; } = string.Empty;

    /// <summary>The client's JWK Set URL, fetched and cached.</summary>
    public string? JwksUri { get; set; }

    /// <summary>The client's JWK Set as a file (relative paths resolve against the installation's home folder).</summary>
    public string? JwksFile { get; set; }

    public string? Tenant { get; set; }

    /// <summary>
    /// JWK Set URLs the token's <c>jku</c> header may name, and so be fetched. A jku not on this list is never fetched:
    /// the token is then verified against <see cref="JwksUri"/> or <see cref="JwksFile"/> only.
    /// </summary>
    public List<string> JkuAllowlist { get; set; } = [];

    /// <summary>
    /// FHIR server base URLs this client's hook calls may name as fhirServer, beside <see cref="CdsHooksOptions.FhirServers"/>
    /// (an entry without a port covers every port of its host); listed servers may be at loopback or private addresses.
    /// </summary>
    public List<string> FhirServers { get; set; } = [];
}

/// <summary>Configuration section <c>CdsHooks</c>.</summary>
public sealed class CdsHooksOptions
{
    public const string Section = "CdsHooks";

    /// <summary>
    /// The public URL of this server (e.g. https://cds.hospital.org); JWT audiences, card links and FHIR links derive
    /// from it. Required outside Development, where the web host refuses to start without it (Api's PublicAddress).
    /// </summary>
    public string PublicBaseUrl { get; set; } = string.Empty;

    /// <summary>Only <c>false</c> (development) turns client authentication off; a warning is logged at start-up.</summary>
    public bool RequireAuthentication { get; set; } = true;

    public List<TrustedCdsClient> Clients { get; set; } = [];

    /// <summary>JWS algorithms accepted; never "none" nor HMAC, whatever is configured.</summary>
    public List<string> AllowedAlgorithms { get; set; } = ["ES384", "RS384"];

    /// <summary>Tolerance for clock differences when checking exp and iat.</summary>
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>Use our own store when prefetch is incomplete and the fhirServer cannot supply the rest.</summary>
    public bool StoreFallback { get; set; }

    /// <summary>Answer low risk with an info card instead of no card.</summary>
    public bool ShowLowRisk { get; set; }

    /// <summary>
    /// The card indicator of a risk's tier where it differs from the risk's own default, keyed by model and tier:
    /// "readmission.High", "complication.Moderate", ... (defaults: readmission high warning, moderate info; complication
    /// high critical, moderate warning); "none" shows no card. Low tiers show an info card only with <see cref="ShowLowRisk"/>.
    /// </summary>
    public Dictionary<string, string> Indicators { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Which risk each CDS Service answers with, by service id: one model for an encounter hook (a risk judged at
    /// discharge for encounter-discharge, one judged during the stay for encounter-start), and for patient-view the
    /// models to try in order (the first with a stay to score is shown), comma-separated.
    /// </summary>
    public Dictionary<string, string> ServiceModels { get; set; } = new(StringComparer.Ordinal)
    {
        [CdsServices.Readmission] = RiskCatalog.Readmission.Name,
        [CdsServices.Deterioration] = RiskCatalog.Complication.Name,
        [CdsServices.Summary] = $"{RiskCatalog.Complication.Name},{RiskCatalog.Readmission.Name}",
    };

    /// <summary>
    /// Answer each card with a CDS Hooks <c>systemActions</c> entry that creates the FHIR RiskAssessment of the risk
    /// shown, for EHRs that file decision support in the chart.
    /// </summary>
    public bool SystemActions { get; set; }

    /// <summary>A SMART app to offer on cards (launch URL); the card's link carries the patient and encounter as appContext.</summary>
    public string? SmartLaunchUrl { get; set; }

    /// <summary>
    /// FHIR server base URLs any client's hook calls may name as fhirServer (<see cref="EvaluateHook.FhirServerAccess"/>).
    /// When this or a client's own list names anything, only listed servers are followed; when none does, any server at
    /// a public address is. Loopback, private and link-local addresses are followed only when listed.
    /// </summary>
    public List<string> FhirServers { get; set; } = [];

    /// <summary>Seconds for each request to a fhirServer.</summary>
    public int FetchTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Seconds for all the pages of one search together. Paging is bounded by time, not by a page count: a real chart
    /// of thousands of observations is many pages, and a server that pages forever is stopped by the clock.
    /// </summary>
    public int FetchBudgetSeconds { get; set; } = 10;

    /// <summary>The page size every search the server makes asks for (<c>_count</c>), unless its query names one.</summary>
    public int PageSize { get; set; } = 5000;

    /// <summary>Origins allowed to call from a browser (CORS).</summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>Requests per second each authenticated CDS client may make (a token bucket; 0 switches the limit off).</summary>
    public int ClientRequestsPerSecond { get; set; } = 250;

    /// <summary>Requests a client may send at once above its rate (the bucket's size).</summary>
    public int ClientBurst { get; set; } = 500;

    /// <summary>Requests per second from one network address before its token is even checked (0 switches the limit off).</summary>
    public int AddressRequestsPerSecond { get; set; } = 1000;
}
