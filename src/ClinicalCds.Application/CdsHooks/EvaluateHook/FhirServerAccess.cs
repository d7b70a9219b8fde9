namespace ClinicalCds.Application.CdsHooks.EvaluateHook;

/// <summary>
/// Whether a hook call's fhirServer may be followed (issue 33 item 9). CDS Hooks requires a service to read the
/// fhirServer a client names, so a trusted client could otherwise make this server connect anywhere — an internal
/// address, a cloud metadata endpoint, a port scan read from the card's error. The configured lists bound it:
/// <c>CdsHooks:FhirServers</c> (every client) and each client's <c>FhirServers</c>. When either names anything, the
/// fhirServer must lie under one of the entries (same scheme and host, the entry's port when it names one, and under
/// its path); it is then <see cref="Listed"/>, and may be at a loopback or private address. When none is configured, any
/// fhirServer is followed, but only to public addresses (the connection itself checks where the name leads).
/// </summary>
public sealed record FhirServerAccess(bool Listed, string? Refusal)
{
    public static FhirServerAccess Of(Uri fhirServer, CdsHooksOptions options, string? clientId)
    {
        var client = clientId is null ? null : options.Clients.FirstOrDefault(c => c.Issuer == clientId);
        // A blank entry (an environment variable emptied to withdraw one) lists nothing.
        var entries = options.FhirServers.Concat(client?.FhirServers ?? []).Where(e => !string.IsNullOrWhiteSpace(e)).ToList();
        if (entries.Count == 0)
        {
            return new FhirServerAccess(false, null);
        }

        return entries.Any(e => Covers(e, fhirServer))
            ? new FhirServerAccess(true, null)
            : new FhirServerAccess(false, client is null
                ? "the fhirServer is not among the FHIR servers this service follows (CdsHooks:FhirServers)"
                : "the fhirServer is not among the FHIR servers configured for this client (CdsHooks:FhirServers and the client's FhirServers)");
    }

    /// <summary>Whether <paramref name="entry"/> — a base URL, its port optional — covers <paramref name="fhirServer"/>.</summary>
    public static bool Covers(string entry, Uri fhirServer)
    {
        if (!Uri.TryCreate(entry, UriKind.Absolute, out var allowed))
        {
            return false;
        }

        var path = allowed.AbsolutePath.TrimEnd('/');
        var requested = fhirServer.AbsolutePath.TrimEnd('/');
        return allowed.Scheme == fhirServer.Scheme
            && string.Equals(allowed.IdnHost, fhirServer.IdnHost, StringComparison.OrdinalIgnoreCase)
            && (!NamesPort(entry) || allowed.Port == fhirServer.Port)
            && (path.Length == 0 || requested == path || requested.StartsWith(path + "/", StringComparison.Ordinal));
    }

    /// <summary>Whether the entry's text names a port (<c>https://ehr.example:8443</c>); without one, every port of its host is covered.</summary>
    private static bool NamesPort(string entry)
    {
        var authority = entry[(entry.IndexOf("://", StringComparison.Ordinal) + 3)..];
        authority = authority[..(authority.IndexOfAny(['/', '?', '#']) is var end and >= 0 ? end : authority.Length)];
        var afterHost = authority.LastIndexOf(']') is var bracket and >= 0 ? authority[(bracket + 1)..] : authority;
        return afterHost.Contains(':', StringComparison.Ordinal);
    }
}
