using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace MasStack.ClearingHouse;

public sealed class ClearingHouseOptions
{
    /// <summary>How long the donor takes to validate a request.</summary>
    public TimeSpan ValidationDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>From acceptance to the start of the port window.</summary>
    public TimeSpan ScheduleDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The port window: the number is ported when it ends.</summary>
    public TimeSpan WindowLength { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Numbers the donor holds for another holder: the document does not match.</summary>
    public List<string> RejectNumbers { get; set; } = [];

    /// <summary>Numbers whose request stops moving at a state (e.g. "donor-validation", "scheduled"): a slow donor, a long window.</summary>
    public Dictionary<string, string> HoldNumbers { get; set; } = [];
}

/// <summary>What an operator of the stand-in can change at run time: whether cancellations are refused (503).</summary>
public sealed record ClearingHouseBehaviour(bool RefuseCancellations);

/// <summary>The stand-in's run-time behaviour, and how many cancellations it refused (so a test sees them retried).</summary>
public sealed class ClearingHouseFaults
{
    private volatile ClearingHouseBehaviour _current = new(false);
    private int _refused;

    public ClearingHouseBehaviour Current => _current;

    public int RefusedCancellations => Volatile.Read(ref _refused);

    public void Set(ClearingHouseBehaviour behaviour) => _current = behaviour;

    /// <summary>Whether this cancellation is refused (counted when it is).</summary>
    public bool Refuses()
    {
        if (!_current.RefuseCancellations) return false;
        Interlocked.Increment(ref _refused);
        return true;
    }
}

public sealed record PortabilityRequest(string? Number, string? DonorOperator, string? DocumentNumber, string? DonorIccid);

public sealed record PortabilityStatus(long Id, string State, string? Reason, DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd);

/// <summary>
/// The clearing house's book of requests. A request's state follows from the time it was filed: donor validation,
/// then accepted or rejected, then a scheduled window, then ported. The donor checks a prepaid line's SIM (its ICCID
/// must be one the donor issued) and a postpaid line's holder (refused for the configured numbers).
/// </summary>
public sealed class PortabilityBook(IOptions<ClearingHouseOptions> options, TimeProvider clock)
{
    // The ICCID issuer codes each donor operator's SIMs carry (89 34 xx: telecom, Spain, issuer).
    private static readonly Dictionary<string, string> Issuers = new()
    {
        ["movistar"] = "893407", ["vodafone"] = "893401", ["orange"] = "893403", ["digi"] = "893422", ["o2"] = "893407",
        ["lowi"] = "893401", ["simyo"] = "893403", ["pepephone"] = "893405",
    };

    private sealed record Filed(PortabilityRequest Request, DateTimeOffset FiledAt, DateTimeOffset? CancelledAt);

    private readonly ConcurrentDictionary<long, Filed> _requests = new();

    public PortabilityStatus File(long id, PortabilityRequest request) =>
        StatusOf(id, _requests.GetOrAdd(id, _ => new Filed(request, clock.GetUtcNow(), null)));

    public PortabilityStatus? Get(long id) => _requests.TryGetValue(id, out var filed) ? StatusOf(id, filed) : null;

    /// <summary>Cancels a request not yet scheduled; null when unknown, the status unchanged when too late.</summary>
    public PortabilityStatus? Cancel(long id)
    {
        if (!_requests.TryGetValue(id, out var filed)) return null;
        var status = StatusOf(id, filed);
        if (status.State is not ("donor-validation" or "accepted")) return status;
        var cancelled = filed with { CancelledAt = clock.GetUtcNow() };
        _requests[id] = cancelled;
        return StatusOf(id, cancelled);
    }

    private PortabilityStatus StatusOf(long id, Filed filed)
    {
        var status = MovingStatusOf(id, filed);
        if (filed.CancelledAt is not null || !options.Value.HoldNumbers.TryGetValue(filed.Request.Number ?? "", out var held)) return status;
        // A held request shows the held state from when it would reach it on (a scheduled one keeps its window).
        return Array.IndexOf(Progress, status.State) > Array.IndexOf(Progress, held) ? HeldAt(id, filed, held) : status;
    }

    private static readonly string[] Progress = ["donor-validation", "accepted", "scheduled", "ported"];

    private PortabilityStatus HeldAt(long id, Filed filed, string held)
    {
        var o = options.Value;
        var windowStart = filed.FiledAt + o.ValidationDelay + o.ScheduleDelay;
        return held is "donor-validation" ? new(id, held, null, null, null) : new(id, held, null, windowStart, windowStart + o.WindowLength);
    }

    private PortabilityStatus MovingStatusOf(long id, Filed filed)
    {
        var o = options.Value;
        if (filed.CancelledAt is not null) return new(id, "cancelled", "Cancelled by the recipient operator.", null, null);
        var now = clock.GetUtcNow();
        var validated = filed.FiledAt + o.ValidationDelay;
        if (now < validated) return new(id, "donor-validation", null, null, null);
        if (Rejection(filed.Request) is { } reason) return new(id, "rejected", reason, null, null);
        var windowStart = validated + o.ScheduleDelay;
        var windowEnd = windowStart + o.WindowLength;
        if (now < windowStart) return new(id, "accepted", null, windowStart, windowEnd);
        if (now < windowEnd) return new(id, "scheduled", null, windowStart, windowEnd);
        return new(id, "ported", null, windowStart, windowEnd);
    }

    private string? Rejection(PortabilityRequest request)
    {
        if (request.DonorOperator is null || !Issuers.TryGetValue(request.DonorOperator, out var issuer))
            return "The donor operator is unknown to the clearing house.";
        if (request.DonorIccid is not null && !request.DonorIccid.StartsWith(issuer, StringComparison.Ordinal))
            return "The donor SIM's ICCID does not match the donor operator's records.";
        if (options.Value.RejectNumbers.Contains(request.Number ?? ""))
            return "The holder's document number does not match the donor operator's records.";
        return null;
    }
}

public static class PortabilityApi
{
    public static IEndpointRouteBuilder MapPortabilityApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/portability-requests");
        api.MapPut("/{id:long}", (long id, PortabilityRequest request, PortabilityBook book) => TypedResults.Ok(book.File(id, request)));
        api.MapGet("/{id:long}", Results<Ok<PortabilityStatus>, NotFound> (long id, PortabilityBook book) =>
            book.Get(id) is { } status ? TypedResults.Ok(status) : TypedResults.NotFound());
        api.MapPost("/{id:long}/cancellation", Results<Ok<PortabilityStatus>, NotFound, ProblemHttpResult> (long id, PortabilityBook book, ClearingHouseFaults faults) =>
            faults.Refuses() ? TypedResults.Problem("Cancellations are refused for now.", statusCode: StatusCodes.Status503ServiceUnavailable)
            : book.Cancel(id) is { } status ? TypedResults.Ok(status) : TypedResults.NotFound());
        var admin = app.MapGroup("/admin");
        admin.MapGet("/behaviour", (ClearingHouseFaults faults) =>
            TypedResults.Ok(new { faults.Current.RefuseCancellations, faults.RefusedCancellations }));
        admin.MapPut("/behaviour", (ClearingHouseBehaviour behaviour, ClearingHouseFaults faults) =>
        {
            faults.Set(behaviour);
            return TypedResults.Ok(behaviour);
        });
        return app;
    }
}
