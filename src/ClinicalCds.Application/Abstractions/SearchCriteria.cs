namespace ClinicalCds.Application.Abstractions;

public enum DatePrefix
{
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
}

/// <summary>
/// A FHIR date search value on the named parameter: a prefix and the interval the given precision denotes ([Start, End)).
/// </summary>
public sealed record DateFilter(string Parameter, DatePrefix Prefix, DateTimeOffset Start, DateTimeOffset End);

/// <summary>A token search value: <c>system|code</c>, <c>|code</c> (no system) or <c>code</c> (any system).</summary>
public sealed record TokenFilter(string? System, string Code, bool SystemGiven);

/// <summary>
/// One search over the current versions of one resource type. Filters are ANDed; the values of one token filter
/// (comma-separated in the query) are ORed, as FHIR search says.
/// </summary>
public sealed record SearchCriteria(
    string ResourceType,
    IReadOnlyList<string> Ids,
    string? PatientId,
    IReadOnlyList<DateFilter> Dates,
    IReadOnlyList<IReadOnlyList<TokenFilter>> Codes,
    IReadOnlyList<IReadOnlyList<TokenFilter>> EncounterClasses,
    int Count,
    int Offset);
