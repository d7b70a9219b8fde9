using ClinicalCds.Application.Abstractions;
using ClinicalCds.Fhir.Ingest;
using Mediator;

namespace ClinicalCds.Application.Fhir.IngestBundle;

/// <summary>
/// A transaction is all or nothing (FHIR R4 http.html#transaction): any invalid entry rejects the whole Bundle,
/// naming every problem, and nothing is written. A batch processes each entry on its own: the valid ones are
/// stored and each invalid one is reported.
/// </summary>
public sealed class IngestBundleHandler(IFhirStore store, Domain.Clinical.Terminology terminology) : ICommandHandler<IngestBundleCommand, IngestBundleResult>
{
    public async ValueTask<IngestBundleResult> Handle(IngestBundleCommand command, CancellationToken cancellationToken)
    {
        var input = BundleEntries.Read(command.Body, terminology);
        if (input.Error is not null)
        {
            return new IngestBundleResult(input.Kind, [], [input.Error]);
        }

        var rejected = input.Entries.Where(e => e.Preparation.Resource is null).ToList();
        if (input.Kind == BundleKind.Transaction && rejected.Count > 0)
        {
            return new IngestBundleResult(input.Kind, [], ["The transaction was rejected and nothing was stored.", .. rejected.SelectMany(e => e.Preparation.Errors)]);
        }

        var accepted = input.Entries.Where(e => e.Preparation.Resource is not null).Select(e => e.Preparation.Resource!).ToList();
        var outcomes = (await store.WriteAsync(accepted, cancellationToken)).ToDictionary(o => (o.ResourceType, o.Id));
        var entries = input.Entries
            .Select(e => e.Preparation.Resource is { } r
                ? new BundleEntryResult(e.Index, e.FullUrl, r.ResourceType, outcomes[(r.ResourceType, r.Id)], [])
                : new BundleEntryResult(e.Index, e.FullUrl, null, null, e.Preparation.Errors))
            .ToList();
        return new IngestBundleResult(input.Kind, entries, []);
    }
}
