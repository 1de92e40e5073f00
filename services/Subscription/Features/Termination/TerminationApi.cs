using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Subscription.Features.Lines;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Subscription.Features.Termination;

public sealed record TerminationRequest(int? MotiveId, string? RequestedDate, string? Comment);

/// <summary>A line's termination as the subscription shows it: scheduled for a date, completed (with the fee charged), or void.</summary>
public sealed record LineTermination(
    string State, CancellationMotive Motive, string? Comment, DateOnly RequestedDate, DateTimeOffset RequestedAt, string? Reason, string? LastError,
    DateTimeOffset? TerminatedAt, bool? InCommitment, Money? EarlyTerminationFee, long? WorkOrderId);

/// <summary>
/// Ends a live line: <c>POST /subscriptions/{id}/termination {motiveId, requestedDate?, comment?}</c>. The termination is
/// recorded at once (202, the subscription as its status resource) and carried out by <see cref="TerminationWorker"/> on
/// the requested date (today when none): the line becomes terminated, its SIM is deactivated on the network, and
/// <see cref="SubscriptionTerminated"/> carries the early-termination fee of the account's terms on that day.
/// </summary>
public static class TerminationApi
{
    public static IEndpointRouteBuilder MapTerminationApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/subscriptions/{subscriptionId:long}").WithTags("Subscriptions")
            .MapPost("/termination", Terminate).Transactional();
        return app;
    }

    private static async Task<Results<Accepted<LineTermination>, NotFound, ValidationProblem, ProblemHttpResult>> Terminate(
        long subscriptionId, TerminationRequest request, UnitOfWork db, TerminationSignal signal, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var errors = new ValidationErrors();
        var motive = request.MotiveId is { } id ? TerminationMotives.Find(id) : null;
        if (motive is null)
            errors.Add("motiveId", $"One of the termination motives of master data: {string.Join(", ", TerminationMotives.All.Select(m => m.Id))}.");
        var (date, dateError) = TerminationRules.RequestedDate(request.RequestedDate, TerminationRules.LocalDate(now));
        if (dateError is not null) errors.Add("requestedDate", dateError);
        if (request.Comment is { Length: > 500 }) errors.Add("comment", "At most 500 characters.");
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        if (await LineStore.LoadForUpdateAsync(db, subscriptionId) is not { } line) return TypedResults.NotFound();
        if (TerminationRules.Refusal(line.Status) is { } conflict) return Problems.Conflict(conflict);
        var scheduled = await db.QuerySingleOrDefaultAsync<DateOnly?>(
            "SELECT requested_date FROM subscription_terminations WHERE subscription_id = @subscriptionId AND state = 'scheduled'", new { subscriptionId });
        if (scheduled is { } on) return Problems.Conflict($"The line's termination is already scheduled for {on:yyyy-MM-dd}.");

        await db.ExecuteAsync(
            """
            INSERT INTO subscription_terminations (subscription_id, motive_id, comment, requested_date, requested_at, state, next_attempt_at)
            VALUES (@subscriptionId, @Id, @Comment, @date, @now, 'scheduled', @now)
            ON CONFLICT (subscription_id) DO UPDATE SET motive_id = excluded.motive_id, comment = excluded.comment,
                requested_date = excluded.requested_date, requested_at = excluded.requested_at, state = 'scheduled', reason = NULL,
                attempts = 0, next_attempt_at = excluded.next_attempt_at, last_error = NULL
            """, new { subscriptionId, motive!.Id, request.Comment, date, now });
        db.AfterCommit(() =>
        {
            signal.Notify();
            return Task.CompletedTask;
        });
        return TypedResults.Accepted($"/api/v1/subscriptions/{subscriptionId}",
            new LineTermination("scheduled", motive, request.Comment, date!.Value, now, null, null, null, null, null, null));
    }

    /// <summary>The line's termination, for its view; null when none was asked.</summary>
    public static async Task<LineTermination?> OfAsync(NpgsqlConnection connection, long subscriptionId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<TerminationRow>(
            """
            SELECT state, motive_id AS MotiveId, comment, requested_date AS RequestedDate, requested_at AS RequestedAt, reason, last_error AS LastError,
                   completed_at AS CompletedAt, in_commitment AS InCommitment, fee_amount AS FeeAmount, fee_currency AS FeeCurrency,
                   work_order_id AS WorkOrderId
            FROM subscription_terminations WHERE subscription_id = @subscriptionId
            """, new { subscriptionId });
        return row is null
            ? null
            : new LineTermination(row.State, TerminationMotives.Find(row.MotiveId) ?? new CancellationMotive(row.MotiveId, EnumText.OtherText, ""),
                row.Comment, row.RequestedDate, row.RequestedAt, row.Reason, row.State == "scheduled" ? row.LastError : null,
                row.CompletedAt, row.InCommitment, row.FeeAmount is { } amount ? new Money(amount, row.FeeCurrency ?? "EUR") : null, row.WorkOrderId);
    }

    private sealed record TerminationRow(
        string State, int MotiveId, string? Comment, DateOnly RequestedDate, DateTimeOffset RequestedAt, string? Reason, string? LastError,
        DateTimeOffset? CompletedAt, bool? InCommitment, decimal? FeeAmount, string? FeeCurrency, long? WorkOrderId);
}
