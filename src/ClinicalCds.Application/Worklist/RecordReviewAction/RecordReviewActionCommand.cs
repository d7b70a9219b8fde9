using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Risks;
using Mediator;

namespace ClinicalCds.Application.Worklist.RecordReviewAction;

/// <summary>Mark reviewed / not reviewed, assign, or add a note — kept with who and when, shown as a history, audited.</summary>
public sealed record RecordReviewActionCommand(ReviewAction Action) : ICommand<string?>;

public sealed class RecordReviewActionHandler(IWorklistStore store, RiskCatalog risks) : ICommandHandler<RecordReviewActionCommand, string?>
{
    public const int MaxNoteLength = 2000;

    /// <summary>Null when recorded; otherwise why the action was refused.</summary>
    public async ValueTask<string?> Handle(RecordReviewActionCommand command, CancellationToken cancellationToken)
    {
        // Blank text is no text (an empty assignee unassigns).
        var action = command.Action with { Detail = string.IsNullOrWhiteSpace(command.Action.Detail) ? null : command.Action.Detail.Trim() };
        if (!risks.Contains(action.Model))
        {
            return $"Unknown model '{action.Model}'.";
        }

        var error = action.Kind switch
        {
            ReviewActionKind.Note when action.Detail is null => "A note needs text.",
            ReviewActionKind.Note when action.Detail!.Length > MaxNoteLength => $"A note is at most {MaxNoteLength} characters.",
            ReviewActionKind.Assigned when action.Detail is { Length: > 256 } => "The assignee name is too long.",
            _ => null,
        };
        if (error is not null)
        {
            return error;
        }

        // A patient is assigned to a worklist account that can sign in, by its own name — never to free text.
        if (action is { Kind: ReviewActionKind.Assigned, Detail: { } assignee })
        {
            var account = (await store.AssignableUsersAsync(cancellationToken)).FirstOrDefault(u => string.Equals(u, assignee, StringComparison.OrdinalIgnoreCase));
            if (account is null)
            {
                return $"There is no active worklist account '{assignee}' to assign to.";
            }

            action = action with { Detail = account };
        }

        await store.RecordActionAsync(action, cancellationToken);
        return null;
    }
}
