using MasStack.Billing.Features.Invoicing;
using MasStack.Platform.Calendar;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Billing.Features.Runs;

public sealed record BillingRunRequest(string? Period);

public static class BillingRunApi
{
    public static IEndpointRouteBuilder MapBillingRunApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/billing-runs").WithTags("Billing runs");
        api.MapPost("/", Start).Transactional();
        api.MapGet("/{runId:long}", Get);
        return app;
    }

    /// <summary>
    /// Starts invoicing every postpaid account for a period that has ended (an operator operation): 202 with the run's status
    /// resource. 400 for a malformed period, 422 for one not ended yet by the business calendar; nothing is written then.
    /// While a run of the period is running, the answer is that run.
    /// </summary>
    private static async Task<Results<Accepted<BillingRunView>, ValidationProblem, ProblemHttpResult>> Start(
        BillingRunRequest? request, UnitOfWork db, IdGenerator ids, BusinessCalendar calendar, BillingRunSignal signal, HttpContext http)
    {
        if (BillingPeriod.Parse(request?.Period) is not { } period)
            return ValidationErrors.For("period", "A billing month, yyyy-MM (2026-11).");
        var today = BillingDates.Of(calendar.GetUtcNow());
        if (!period.HasEndedBy(today))
            return Problems.Refused($"The period {period} has not ended yet (today is {today:yyyy-MM-dd}); it can be billed from {period.End.AddDays(1):yyyy-MM-dd}.", "period");

        var (runId, _) = await BillingRuns.StartAsync(db, ids.Next(), period, Actor.Of(http.Request).ClientId, DateTimeOffset.UtcNow);
        db.AfterCommit(() => { signal.Notify(); return Task.CompletedTask; });
        return TypedResults.Accepted($"/api/v1/billing-runs/{runId}", await BillingRuns.FindAsync(db, runId));
    }

    private static async Task<Results<Ok<BillingRunView>, NotFound>> Get(long runId, NpgsqlDataSource database)
    {
        // The run's status and its accounts' counts as of one moment (a snapshot): not a running run with nothing pending.
        await using var connection = await database.OpenSnapshotAsync();
        return await BillingRuns.FindAsync(connection, runId) is { } run ? TypedResults.Ok(run) : TypedResults.NotFound();
    }
}
