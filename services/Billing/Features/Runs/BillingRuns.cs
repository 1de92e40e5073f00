using Dapper;
using MasStack.Billing.Features.Invoicing;
using MasStack.Platform.Data;
using Npgsql;

namespace MasStack.Billing.Features.Runs;

/// <summary>What a run has done: its accounts by state (to do = pending).</summary>
public sealed record RunAccounts(long Total, long Invoiced, long AlreadyInvoiced, long NothingToInvoice, long Failed, long ToDo);

public sealed record BillingRunView(long RunId, string Period, string Status, RunAccounts Accounts, string RequestedBy, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>
/// The one writer of billing runs. Starting one for a period lists every postpaid account that had a line active in it
/// (an account already invoiced for it is set aside at once); while a run for a period is running, starting another
/// answers that one (a unique index on the running period, so concurrent starts meet on one run). Its accounts are then
/// invoiced by <see cref="BillingRunWorker"/> on every instance.
/// </summary>
public static class BillingRuns
{
    public static async Task<(long RunId, bool Started)> StartAsync(UnitOfWork db, long newId, BillingPeriod period, string requestedBy, DateTimeOffset now)
    {
        while (true)
        {
            var started = await db.ExecuteAsync(
                """
                INSERT INTO billing_runs (id, period, status, requested_by, created_at) VALUES (@newId, @period, 'running', @requestedBy, @now)
                ON CONFLICT (period) WHERE status = 'running' DO NOTHING
                """, new { newId, period = period.ToString(), requestedBy, now });
            if (started == 1) break;
            // The running run of the period; if it completed meanwhile, this one starts after all.
            if (await db.QuerySingleOrDefaultAsync<long?>("SELECT id FROM billing_runs WHERE period = @period AND status = 'running'",
                    new { period = period.ToString() }) is { } running)
                return (running, false);
        }

        await db.ExecuteAsync(
            """
            INSERT INTO billing_run_accounts (run_id, account_id, state)
            SELECT @newId, a.account_id,
                   CASE WHEN EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.account_id AND i.period = @period) THEN 'already-invoiced' ELSE 'pending' END
            FROM billing_accounts a
            WHERE a.payment_type = 'postpaid'
              AND (EXISTS (SELECT 1 FROM billing_lines l
                           WHERE l.account_id = a.account_id AND l.activated_on <= @End AND (l.ended_on IS NULL OR l.ended_on >= @Start))
                   -- a line that left it in the period (its final prorated charges), or a prepaid balance carried to it
                   OR EXISTS (SELECT 1 FROM line_account_moves m JOIN billing_lines l USING (subscription_id)
                              WHERE m.from_account_id = a.account_id AND m.moved_on >= @Start AND l.activated_on <= m.moved_on)
                   OR EXISTS (SELECT 1 FROM account_credits c WHERE c.account_id = a.account_id AND c.credited_on BETWEEN @Start AND @End))
            """, new { newId, period = period.ToString(), period.Start, period.End });
        await CompleteIfDoneAsync(db, newId);
        return (newId, true);
    }

    public static Task CompleteIfDoneAsync(UnitOfWork db, long runId) =>
        db.ExecuteAsync(
            """
            UPDATE billing_runs SET status = 'completed', finished_at = now()
            WHERE id = @runId AND status = 'running' AND NOT EXISTS (SELECT 1 FROM billing_run_accounts WHERE run_id = @runId AND state = 'pending')
            """, new { runId });

    public static async Task<BillingRunView?> FindAsync(NpgsqlConnection connection, long runId) =>
        await connection.QuerySingleOrDefaultAsync<RunRow>(
            "SELECT id, period, status, requested_by AS RequestedBy, created_at AS CreatedAt, finished_at AS FinishedAt FROM billing_runs WHERE id = @runId",
            new { runId }) is not { } run
            ? null
            : View(run, (await connection.QueryAsync<(string State, long Count)>(
                "SELECT state, count(*) FROM billing_run_accounts WHERE run_id = @runId GROUP BY state", new { runId })).ToDictionary(s => s.State, s => s.Count));

    public static async Task<BillingRunView> FindAsync(UnitOfWork db, long runId)
    {
        var run = (await db.QuerySingleOrDefaultAsync<RunRow>(
            "SELECT id, period, status, requested_by AS RequestedBy, created_at AS CreatedAt, finished_at AS FinishedAt FROM billing_runs WHERE id = @runId",
            new { runId }))!;
        var states = await db.QueryAsync<(string State, long Count)>(
            "SELECT state, count(*) FROM billing_run_accounts WHERE run_id = @runId GROUP BY state", new { runId });
        return View(run, states.ToDictionary(s => s.State, s => s.Count));
    }

    private static BillingRunView View(RunRow run, Dictionary<string, long> states)
    {
        long Of(string state) => states.GetValueOrDefault(state);
        return new BillingRunView(run.Id, run.Period, run.Status,
            new RunAccounts(states.Values.Sum(), Of("invoiced"), Of("already-invoiced"), Of("nothing-to-invoice"), Of("failed"), Of("pending")),
            run.RequestedBy, run.CreatedAt, run.FinishedAt);
    }

    private sealed class RunRow
    {
        public long Id { get; init; }
        public string Period { get; init; } = "";
        public string Status { get; init; } = "";
        public string RequestedBy { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? FinishedAt { get; init; }
    }
}
