using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Fhir;
using Mediator;

namespace ClinicalCds.Application.CdsHooks.RecordFeedback;

/// <summary>
/// Validates every feedback item (a card this service issued, outcome accepted|overridden, acceptedSuggestions for
/// accepted, overrideReason only for overridden, an ISO 8601 outcomeTimestamp) and stores them all or none; an item
/// identical to one already stored is not stored again.
/// </summary>
public sealed class RecordFeedbackHandler(ICdsStore store) : ICommandHandler<RecordFeedbackCommand, CdsResult>
{
    public async ValueTask<CdsResult> Handle(RecordFeedbackCommand command, CancellationToken cancellationToken)
    {
        if (CdsServices.Find(command.ServiceId) is null)
        {
            return CdsResult.Outcome(404, Outcomes.NotFound($"There is no CDS Service '{command.ServiceId}'.").Json);
        }

        if (command.Body.ValueKind != JsonValueKind.Object
            || !command.Body.TryGetProperty("feedback", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            return CdsResult.Outcome(400, Outcomes.BadRequest("The body must be an object with a non-empty 'feedback' array.").Json);
        }

        var errors = new List<string>();
        var items = new List<(Guid Card, string Outcome, DateTimeOffset At, JsonElement Item)>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var where = $"feedback[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{where} must be an object.");
                continue;
            }

            var card = Text(item, "card");
            var outcome = Text(item, "outcome");
            var timestamp = Text(item, "outcomeTimestamp");
            var problems = new List<string>();
            if (!Guid.TryParse(card, out var cardUuid))
            {
                problems.Add("'card' must be the uuid of a card this service returned");
            }

            if (outcome is not ("accepted" or "overridden"))
            {
                problems.Add("'outcome' must be 'accepted' or 'overridden'");
            }

            var hasSuggestions = item.TryGetProperty("acceptedSuggestions", out var accepted) && accepted.ValueKind == JsonValueKind.Array
                && accepted.GetArrayLength() > 0 && accepted.EnumerateArray().All(s => s.ValueKind == JsonValueKind.Object && Text(s, "id") is not null);
            if (outcome == "accepted" && !hasSuggestions)
            {
                problems.Add("an accepted outcome needs 'acceptedSuggestions' (objects with an 'id')");
            }

            if (item.TryGetProperty("overrideReason", out var reason) && (outcome != "overridden" || !ValidOverrideReason(reason)))
            {
                problems.Add("'overrideReason' belongs to an overridden outcome and needs a 'reason' Coding (code, system) or a 'userComment'");
            }

            if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                || timestamp!.Length < 10)
            {
                problems.Add("'outcomeTimestamp' must be an ISO 8601 date-time");
            }

            if (problems.Count > 0)
            {
                errors.AddRange(problems.Select(p => $"{where}: {p}."));
            }
            else
            {
                items.Add((cardUuid, outcome!, at.ToUniversalTime(), item));
            }
        }

        if (errors.Count == 0)
        {
            var issuedBy = await store.IssuedByAsync(items.Select(i => i.Card).Distinct().ToList(), cancellationToken);
            errors.AddRange(items
                .Where(i => issuedBy.GetValueOrDefault(i.Card) != command.ServiceId)
                .Select(i => $"card {i.Card} was not returned by the CDS Service '{command.ServiceId}'."));
        }

        if (errors.Count > 0)
        {
            return CdsResult.Outcome(400, Outcomes.BadRequest([.. errors]).Json);
        }

        var records = items.Select(i =>
        {
            var json = i.Item.GetRawText();
            var canonical = JsonSerializer.Serialize(JsonSerializer.Deserialize<JsonElement>(json));
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{command.ServiceId}\n{canonical}")));
            return new FeedbackRecord(i.Card, command.ServiceId, i.Outcome, i.At, json, hash, command.ClientId);
        }).ToList();
        await store.RecordFeedbackAsync(records, cancellationToken);
        return CdsResult.Json(new { });
    }

    private static bool ValidOverrideReason(JsonElement reason) =>
        reason.ValueKind == JsonValueKind.Object
        && ((reason.TryGetProperty("reason", out var coding) && coding.ValueKind == JsonValueKind.Object && Text(coding, "code") is not null && Text(coding, "system") is not null)
            || Text(reason, "userComment") is not null);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
