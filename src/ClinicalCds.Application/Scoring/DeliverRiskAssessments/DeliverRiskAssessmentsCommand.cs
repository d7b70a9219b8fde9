using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Fhir;
using Mediator;

namespace ClinicalCds.Application.Scoring.DeliverRiskAssessments;

/// <summary>
/// Sends one chunk's RiskAssessments to the configured external FHIR server as a transaction of PUTs. Every attempt is
/// recorded on the chunk (delivered, or failed with the reason); a failure throws so that the job is retried.
/// </summary>
public sealed record DeliverRiskAssessmentsCommand(long RunId, int ChunkNo) : ICommand<int>;

public sealed class DeliveryFailedException(string reason) : Exception($"Delivery of RiskAssessments failed: {reason}");

public sealed class DeliverRiskAssessmentsHandler(IScoringStore store, IRiskAssessmentPublisher publisher, ScoringOptions options, RiskCatalog risks)
    : ICommandHandler<DeliverRiskAssessmentsCommand, int>
{
    public async ValueTask<int> Handle(DeliverRiskAssessmentsCommand command, CancellationToken cancellationToken)
    {
        if (options.ExternalFhirEndpoint is not { } endpoint)
        {
            return 0;
        }

        var scores = await store.ScoresAsync(new ScoreSelection(RunId: command.RunId, ChunkNo: command.ChunkNo, Limit: int.MaxValue), cancellationToken);
        var error = scores.Count == 0
            ? null
            : await publisher.PublishAsync(endpoint, options.ExternalFhirToken, System.Text.Encoding.UTF8.GetString(FhirJson.ToUtf8(RiskAssessments.Transaction(scores, risks))), cancellationToken);
        await store.RecordDeliveryAsync(command.RunId, command.ChunkNo, error, CancellationToken.None);
        return error is null ? scores.Count : throw new DeliveryFailedException(error);
    }
}
