using ClinicalCds.Application.Abstractions;

namespace ClinicalCds.Application.Fhir.ImportNdjson;

/// <summary>What the write lanes have written so far, by outcome and resource type.</summary>
internal sealed class WriteTally
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _byType = new(StringComparer.Ordinal);
    private long _created, _updated, _unchanged;

    public long Stored
    {
        get
        {
            lock (_gate)
            {
                return _created + _updated + _unchanged;
            }
        }
    }

    public void Add(IReadOnlyList<WriteOutcome> outcomes)
    {
        lock (_gate)
        {
            foreach (var outcome in outcomes)
            {
                _byType[outcome.ResourceType] = _byType.GetValueOrDefault(outcome.ResourceType) + 1;
                switch (outcome.Status)
                {
                    case WriteStatus.Created: _created++; break;
                    case WriteStatus.Updated: _updated++; break;
                    default: _unchanged++; break;
                }
            }
        }
    }

    public ImportResult Result(long lines, IReadOnlyList<RejectedLine> rejected, TimeSpan elapsed, bool initialLoad)
    {
        lock (_gate)
        {
            return new ImportResult(lines, _created, _updated, _unchanged, new Dictionary<string, long>(_byType, StringComparer.Ordinal), rejected, elapsed, initialLoad);
        }
    }
}
