using ClinicalCds.Application.Abstractions;
using ClinicalCds.Fhir.Ingest;
using Mediator;

namespace ClinicalCds.Application.Fhir.IngestBundle;

/// <summary>POST /fhir with a transaction or batch Bundle (UTF-8 JSON).</summary>
public sealed record IngestBundleCommand(byte[] Body) : ICommand<IngestBundleResult>;

/// <summary>One entry's fate: stored (with its write outcome) or rejected (with reasons).</summary>
public sealed record BundleEntryResult(int Index, string? FullUrl, string? ResourceType, WriteOutcome? Outcome, IReadOnlyList<string> Errors);

/// <summary>
/// The result of a Bundle: when <see cref="Errors"/> is not empty the Bundle as a whole was rejected and nothing
/// was stored; otherwise each entry says what happened to it.
/// </summary>
public sealed record IngestBundleResult(BundleKind Kind, IReadOnlyList<BundleEntryResult> Entries, IReadOnlyList<string> Errors)
{
    public bool Rejected => Errors.Count > 0;
}
