using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using Mediator;

namespace ClinicalCds.Application.CdsHooks.RecordFeedback;

/// <summary>
/// Validates every feedback item against the card it answers and stores them all or none (CDS Hooks 2.0 "Feedback"):
/// a card this service issued; outcome accepted|overridden; acceptedSuggestions (required for accepted) naming only
/// suggestions that card offered; an overrideReason only for overridden, whose reason Coding is one that card offered (a
/// userComment alone is allowed); an ISO 8601 outcomeTimestamp. A card has one outcome: the same outcome sent again
/// (same suggestions, same reason) is a repeat, answered 200 and not stored twice; a different one — in the same request
/// or after an earlier one — contradicts it and is answered 409 Conflict with nothing stored (cds-hooks/README.md, "Feedback").
/// </summary>
public sealed class RecordFeedbackHandler(ICdsStore store) : ICommandHandler<RecordFeedbackCommand, CdsAnswer>
{
    private sealed record Item(Guid Card, string Outcome, DateTimeOffset At, IReadOnlyList<string> Suggestions, (string System, string Code)? Reason, JsonElement Json, string Where)
    {
        /// <summary>The outcome with what it chose: equal for a repeat of the same decision.</summary>
        public string Key => $"{Outcome};{string.Join(',', Suggestions.Order(StringComparer.Ordinal))};{(Reason is { } r ? CdsCoding.Token(r.System, r.Code) : string.Empty)}";
    }

    public async ValueTask<CdsAnswer> Handle(RecordFeedbackCommand command, CancellationToken cancellationToken)
    {
        if (CdsServices.Find(command.ServiceId) is null)
        {
            return CdsAnswer.Failed(CdsFailure.UnknownService, $"There is no CDS Service '{command.ServiceId}'.");
        }

        if (command.Body.ValueKind != JsonValueKind.Object
            || !command.Body.TryGetProperty("feedback", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            return CdsAnswer.Failed(CdsFailure.InvalidRequest, "The body must be an object with a non-empty 'feedback' array.");
        }

        var errors = new List<string>();
        var items = new List<Item>();
        var index = 0;
        foreach (var element in list.EnumerateArray())
        {
            var where = $"feedback[{index++}]";
            var (item, problems) = Read(element, where);
            errors.AddRange(problems.Select(p => $"{where}: {p}."));
            if (item is not null)
            {
                items.Add(item);
            }
        }

        if (errors.Count == 0)
        {
            var offers = await store.OffersAsync(items.Select(i => i.Card).Distinct().ToList(), cancellationToken);
            errors.AddRange(items.SelectMany(i => Unoffered(i, offers.GetValueOrDefault(i.Card), command.ServiceId)));
        }

        if (errors.Count > 0)
        {
            return CdsAnswer.Failed(CdsFailure.InvalidRequest, errors);
        }

        var contradictions = items.GroupBy(i => i.Card).Where(g => g.Select(i => i.Key).Distinct().Count() > 1).Select(g => g.Key).ToList();
        if (contradictions.Count > 0)
        {
            return Conflict(contradictions, "this request gives it two different outcomes");
        }

        var records = items.DistinctBy(i => i.Card).Select(i =>
        {
            var json = i.Json.GetRawText();
            var canonical = JsonSerializer.Serialize(JsonSerializer.Deserialize<JsonElement>(json));
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{command.ServiceId}\n{canonical}")));
            return new FeedbackRecord(i.Card, command.ServiceId, i.Outcome, i.Key, i.At, json, hash, command.ClientId);
        }).ToList();
        var stored = await store.RecordFeedbackAsync(records, cancellationToken);
        return stored.Conflicts.Count > 0 ? Conflict(stored.Conflicts, "it already has a different outcome") : CdsAnswer.Ok(new { }) with
        {
            Call = new HookCall(null, null, null,
                $"feedback: {records.Count} card{(records.Count == 1 ? string.Empty : "s")} ({string.Join(", ", records.GroupBy(r => r.Outcome).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))})"),
        };
    }

    private static CdsAnswer Conflict(IEnumerable<Guid> cards, string why) =>
        CdsAnswer.Failed(CdsFailure.Conflict, [.. cards.Select(c => $"card {c}: {why}; a card has one outcome, and nothing in this request was stored.")]);

    /// <summary>The item read for its shape; problems when it is not a well-formed feedback item.</summary>
    private static (Item? Item, List<string> Problems) Read(JsonElement item, string where)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return (null, ["must be an object"]);
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

        var suggestions = new List<string>();
        var hasSuggestions = item.TryGetProperty("acceptedSuggestions", out var accepted);
        if (hasSuggestions && (outcome != "accepted" || accepted.ValueKind != JsonValueKind.Array || accepted.GetArrayLength() == 0
            || !accepted.EnumerateArray().All(s => s.ValueKind == JsonValueKind.Object && Text(s, "id") is not null)))
        {
            problems.Add("'acceptedSuggestions' belongs to an accepted outcome: a non-empty array of objects with an 'id'");
        }
        else if (hasSuggestions)
        {
            suggestions.AddRange(accepted.EnumerateArray().Select(s => Text(s, "id")!));
        }
        else if (outcome == "accepted")
        {
            problems.Add("an accepted outcome needs 'acceptedSuggestions' (objects with an 'id')");
        }

        (string, string)? reasonCoding = null;
        if (item.TryGetProperty("overrideReason", out var reason))
        {
            if (outcome != "overridden" || !ValidOverrideReason(reason, out reasonCoding))
            {
                problems.Add("'overrideReason' belongs to an overridden outcome and needs a 'reason' Coding (code, system) or a 'userComment'");
            }
        }

        if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            || timestamp!.Length < 10)
        {
            problems.Add("'outcomeTimestamp' must be an ISO 8601 date-time");
        }

        return problems.Count > 0 ? (null, problems) : (new Item(cardUuid, outcome!, at.ToUniversalTime(), suggestions, reasonCoding, item, where), problems);
    }

    /// <summary>What the item names that its card did not offer (or a card this service never issued).</summary>
    private static IEnumerable<string> Unoffered(Item item, CardOffer? offer, string serviceId)
    {
        if (offer is null || offer.ServiceId != serviceId)
        {
            yield return $"{item.Where}: card {item.Card} was not returned by the CDS Service '{serviceId}'.";
            yield break;
        }

        foreach (var id in item.Suggestions.Where(id => !Guid.TryParse(id, out var uuid) || !offer.SuggestionIds.Contains(uuid)))
        {
            yield return $"{item.Where}: acceptedSuggestions id '{id}' is not a suggestion card {item.Card} offered.";
        }

        if (item.Reason is { } r && !offer.OverrideReasons.Contains(CdsCoding.Token(r.System, r.Code)))
        {
            yield return $"{item.Where}: overrideReason {r.System}|{r.Code} is not one of the override reasons card {item.Card} offered.";
        }
    }

    private static bool ValidOverrideReason(JsonElement reason, out (string System, string Code)? coding)
    {
        coding = null;
        if (reason.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (reason.TryGetProperty("reason", out var value))
        {
            if (value.ValueKind != JsonValueKind.Object || Text(value, "code") is not { } code || Text(value, "system") is not { } system)
            {
                return false;
            }

            coding = (system, code);
            return true;
        }

        return Text(reason, "userComment") is not null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
