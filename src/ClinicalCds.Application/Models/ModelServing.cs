namespace ClinicalCds.Application.Models;

/// <summary>
/// Which version of one model is served (issue 22 item 5), kept beside its versions as models/&lt;name&gt;/serving.json.
/// <see cref="Active"/> answers hooks and nightly runs; the newest valid version above it that was not rolled back is the
/// <b>candidate</b>: scored beside the active one on the same inputs, its scores kept for monitoring and never shown.
/// A version becomes active only by <see cref="Promote"/>; <see cref="Rollback"/> returns to the version active before
/// and retires the one left, so it does not come back as the candidate. Without a serving.json (a first install, a
/// model trained once) the newest valid version is active.
/// </summary>
public sealed record ServingState(string? Active, IReadOnlyList<string> Previous, IReadOnlyList<string> Retired)
{
    public const string File = "serving.json";

    /// <summary>
    /// The versions live at this site: validated on its patients or accepted by a named administrator
    /// (<see cref="GoLiveOptions"/>). While <see cref="GoLiveOptions.Required"/>, a version not in it runs silent — scored,
    /// recorded and monitored, its hook answers without a card.
    /// </summary>
    public IReadOnlyList<string> Live { get; init; } = [];

    /// <summary>The same state with <paramref name="version"/> live.</summary>
    public ServingState GoLive(string version) => this with { Live = [.. Live.Where(v => v != version), version] };

    public static ServingState Unset { get; } = new(null, [], []);

    /// <summary>Makes <paramref name="version"/> active; the active one goes first in <see cref="Previous"/>.</summary>
    public ServingState Promote(string version) => new(
        version,
        Active is null || Active == version ? [.. Previous.Where(v => v != version)] : [Active, .. Previous.Where(v => v != version && v != Active)],
        [.. Retired.Where(v => v != version)])
    {
        Live = Live,
    };

    /// <summary>The version active before this one becomes active again; null when there is none.</summary>
    public ServingState? Rollback() => Previous.Count == 0
        ? null
        : new ServingState(Previous[0], [.. Previous.Skip(1)], Active is null ? Retired : [.. Retired.Where(v => v != Active), Active]) { Live = Live };

    /// <summary>The version that answers, of the valid versions <paramref name="available"/>: the one named, else the newest.</summary>
    public string? ActiveOf(IReadOnlyCollection<string> available) =>
        Active is not null ? (available.Contains(Active) ? Active : null) : available.OrderByDescending(v => v, ModelVersions.Order).FirstOrDefault();

    /// <summary>The newest valid version above the active one that was not rolled back.</summary>
    public string? CandidateOf(IReadOnlyCollection<string> available, string? active) => active is null
        ? null
        : available.Where(v => ModelVersions.Order.Compare(v, active) > 0 && !Retired.Contains(v))
            .OrderByDescending(v => v, ModelVersions.Order).FirstOrDefault();
}

/// <summary>What a model serves now: the active and candidate versions among the valid versions on disk, and its state.</summary>
public sealed record ServedVersions(string Model, string? Active, string? Candidate, IReadOnlyList<string> Available, ServingState State);

/// <summary>Model versions in their order: numeric (1.10.0 after 1.9.0) where they parse, else ordinal.</summary>
public static class ModelVersions
{
    public static IComparer<string> Order { get; } = Comparer<string>.Create(Compare);

    public static int Compare(string? a, string? b) =>
        a is null || b is null ? string.CompareOrdinal(a, b)
        : Version.TryParse(a.Split('-')[0], out var x) && Version.TryParse(b.Split('-')[0], out var y) && x != y ? x.CompareTo(y)
        : string.CompareOrdinal(a, b);
}
