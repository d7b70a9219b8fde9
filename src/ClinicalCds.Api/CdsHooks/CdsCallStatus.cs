using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.CdsHooks;

namespace ClinicalCds.Api.CdsHooks;

/// <summary>
/// The status CDS Hooks 2.0 gives each outcome of a call ("HTTP Response": 200, 400, 404, 412; 409 for feedback that
/// contradicts a card's outcome, our choice): the one place a CDS use case's answer becomes an HTTP status (issue 34 item 2).
/// </summary>
public sealed class CdsCallStatus : ICdsCallStatuses
{
    public static int Of(CdsFailure? failure) => failure switch
    {
        null => StatusCodes.Status200OK,
        CdsFailure.InvalidRequest => StatusCodes.Status400BadRequest,
        CdsFailure.UnknownService => StatusCodes.Status404NotFound,
        CdsFailure.DataUnavailable => StatusCodes.Status412PreconditionFailed,
        CdsFailure.Conflict => StatusCodes.Status409Conflict,
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, "No status for this failure."),
    };

    int ICdsCallStatuses.Of(CdsFailure? failure) => Of(failure);
}
