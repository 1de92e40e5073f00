using MasStack.Consumption.Features.Limits;
using MasStack.Contracts;
using MasStack.Platform.Data;

namespace MasStack.Consumption.Features.Rating;

/// <summary>The answer to a batch: how many records were rated, seen before (counted once), or rejected, and why each rejected one was.</summary>
public sealed record BatchResult(int Received, int Rated, int Duplicates, int Rejected, IReadOnlyList<RecordRejection> Rejections);

/// <summary>A line as rating needs it, locked for the batch.</summary>
internal sealed record RatingLine(
    long SubscriptionId, long AccountId, long UserId, string? Number, string ProductCode, string? PaymentType, string Status,
    decimal? Balance, decimal? LimitAmount, long LimitVersion, string? LimitReachedPeriod, string? LimitWarnedPeriod, DateTimeOffset CreatedAt);

/// <summary>
/// Rates a batch set-based in one transaction: the lines it touches are locked (in id order, so batches on the same lines
/// run one after the other and never deadlock), the records already rated are looked up in one statement, the new ones rated
/// in memory and written with one <c>INSERT … SELECT unnest(…) ON CONFLICT DO NOTHING</c>, and the allowances, months,
/// balances and limits updated with one statement each. One <see cref="UsageCharged"/> per line and month touched, never
/// one event per record. Exactly once by record id: a record of a concurrent batch that slipped in between (an id reused
/// for another line) makes the insert count differ, and the whole batch is rated again.
/// </summary>
public static class UsageBatches
{
    private const string LineColumns =
        """
        subscription_id AS SubscriptionId, account_id AS AccountId, user_id AS UserId, number, product_code AS ProductCode,
        payment_type AS PaymentType, status, balance, limit_amount AS LimitAmount, limit_version AS LimitVersion,
        limit_reached_period AS LimitReachedPeriod, limit_warned_period AS LimitWarnedPeriod, created_at AS CreatedAt
        """;

    public static async Task<BatchResult?> TryRateAsync(
        UnitOfWork db, Contracts.Catalogue catalogue, List<IncomingRecord> incoming, List<RecordRejection> rejections, DateTimeOffset now)
    {
        var rejected = new List<RecordRejection>(rejections);
        var received = incoming.Count + rejections.Count;

        // The first of the same id in a batch counts; the others are duplicates.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = new List<IncomingRecord>(incoming.Count);
        foreach (var record in incoming) if (seen.Add(record.RecordId)) unique.Add(record);
        var duplicates = incoming.Count - unique.Count;

        var ids = unique.Where(r => r.SubscriptionId is not null).Select(r => r.SubscriptionId!.Value).Distinct().ToArray();
        var numbers = unique.Where(r => r.Msisdn is not null).Select(r => r.Msisdn!).Distinct().ToArray();
        var lines = await db.QueryAsync<RatingLine>(
            $"SELECT {LineColumns} FROM consumption_lines WHERE subscription_id = ANY(@ids) OR number = ANY(@numbers) ORDER BY subscription_id FOR UPDATE",
            new { ids, numbers });
        var byId = lines.ToDictionary(l => l.SubscriptionId);
        // A number may have had several lines: the live one answers for it, else the newest.
        var byNumber = lines.Where(l => l.Number is not null).GroupBy(l => l.Number!)
            .ToDictionary(g => g.Key, g => g.OrderBy(l => EndedLines.Contains(EnumText.Parse<SubscriptionStatus>(l.Status))).ThenByDescending(l => l.CreatedAt).First());

        var resolved = new List<UsageRecord>(unique.Count);
        foreach (var record in unique)
        {
            var line = record.SubscriptionId is { } id ? byId.GetValueOrDefault(id) : byNumber.GetValueOrDefault(record.Msisdn!);
            if (line is null)
            {
                rejected.Add(record.SubscriptionId is not null
                    ? new(record.Index, record.RecordId, "unknown-subscription", $"No line {record.SubscriptionId} is known.")
                    : new(record.Index, record.RecordId, "unknown-number", $"No line has the number {record.Msisdn}."));
                continue;
            }
            if (line.Status is not ("active" or "barred"))
            {
                rejected.Add(new(record.Index, record.RecordId, "line-not-active", $"The line {line.SubscriptionId} is {line.Status}."));
                continue;
            }
            resolved.Add(new UsageRecord(record.RecordId, line.SubscriptionId, record.Type, record.Destination, record.StartedAt, record.Quantity));
        }

        var recordIds = resolved.Select(r => r.RecordId).ToArray();
        var existing = (await db.QueryAsync<string>("SELECT record_id FROM usage_records WHERE record_id = ANY(@recordIds)", new { recordIds }))
            .ToHashSet(StringComparer.Ordinal);
        var fresh = resolved.Where(r => !existing.Contains(r.RecordId)).ToList();
        duplicates += resolved.Count - fresh.Count;

        if (fresh.Count > 0 && !await RateAndStoreAsync(db, catalogue, fresh, byId, now)) return null;
        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new BatchResult(received, fresh.Count, duplicates, rejected.Count, rejected);
    }

    private static async Task<bool> RateAndStoreAsync(
        UnitOfWork db, Contracts.Catalogue catalogue, List<UsageRecord> fresh, Dictionary<long, RatingLine> lines, DateTimeOffset now)
    {
        var lineIds = fresh.Select(r => r.SubscriptionId).Distinct().ToArray();
        var periods = fresh.Select(r => r.Period).Distinct().ToArray();
        var bonuses = (await db.QueryAsync<BonusRow>(
                """
                SELECT subscription_id AS SubscriptionId, start_date AS StartDate, end_date AS EndDate, data_mb AS DataMb,
                       voice_minutes AS VoiceMinutes, sms AS Sms
                FROM line_bonuses WHERE subscription_id = ANY(@lineIds) AND NOT removed
                """, new { lineIds }))
            .ToLookup(b => b.SubscriptionId, b => new BonusAllowance(b.StartDate, b.EndDate, new Allowances(b.DataMb, b.VoiceMinutes, b.Sms)));
        var used = (await db.QueryAsync<UseRow>(
                "SELECT subscription_id AS SubscriptionId, period, type, used FROM allowance_use WHERE subscription_id = ANY(@lineIds) AND period = ANY(@periods)",
                new { lineIds, periods }))
            .ToLookup(u => u.SubscriptionId);
        var spent = (await db.QueryAsync<SpentRow>(
                "SELECT subscription_id AS SubscriptionId, period, spent FROM usage_months WHERE subscription_id = ANY(@lineIds) AND period = ANY(@periods)",
                new { lineIds, periods }))
            .ToLookup(s => s.SubscriptionId);

        var rated = new List<RatedRecord>(fresh.Count);
        var usedAfter = new List<(long Line, string Period, string Type, long Delta)>();
        var balances = new List<(RatingLine Line, decimal Balance, bool Charged, string Period)>();
        foreach (var group in fresh.GroupBy(r => r.SubscriptionId))
        {
            var line = lines[group.Key];
            var product = catalogue.Product(line.ProductCode);
            var paymentType = line.PaymentType is { } text ? EnumText.Parse<PaymentType>(text)
                : product?.PaymentTypes.FirstOrDefault() ?? PaymentType.Postpaid;
            var tariff = new LineTariff(line.SubscriptionId, paymentType, product?.Allowances ?? new Allowances(),
                product?.UsageRates ?? DefaultRates, [.. bonuses[line.SubscriptionId]],
                line.Balance, paymentType == PaymentType.Postpaid ? line.LimitAmount : null,
                spent[line.SubscriptionId].ToDictionary(s => s.Period, s => s.Spent));
            var usedByLine = used[line.SubscriptionId].ToDictionary(u => (u.Period, EnumText.Parse<UsageType>(u.Type)), u => u.Used);
            var before = new Dictionary<(string, UsageType), long>(usedByLine);
            var (lineRated, balanceLeft) = RatingRules.Rate(tariff, group, usedByLine);
            rated.AddRange(lineRated);
            foreach (var (key, value) in usedByLine)
                if (value != before.GetValueOrDefault(key)) usedAfter.Add((line.SubscriptionId, key.Item1, EnumText.Of(key.Item2), value - before.GetValueOrDefault(key)));
            if (balanceLeft is { } left)
                balances.Add((line, left, lineRated.Any(r => r.Charge > 0 || r.RefusedAmount > 0), lineRated.Max(r => r.Record.Period)!));
        }

        var inserted = await db.QuerySingleOrDefaultAsync<int>(
            """
            WITH inserted AS (
                INSERT INTO usage_records (record_id, subscription_id, type, destination, started_at, quantity, period,
                                           allowance_quantity, charged_quantity, charge, refused_quantity, refused_amount, rated_at)
                SELECT r.*, @now FROM unnest(@RecordIds, @Lines, @Types, @Destinations, @StartedAts, @Quantities, @Periods,
                                          @AllowanceQuantities, @ChargedQuantities, @Charges, @RefusedQuantities, @RefusedAmounts) AS r
                ON CONFLICT (record_id) DO NOTHING
                RETURNING 1)
            SELECT count(*)::int FROM inserted
            """,
            new
            {
                now,
                RecordIds = rated.Select(r => r.Record.RecordId).ToArray(),
                Lines = rated.Select(r => r.Record.SubscriptionId).ToArray(),
                Types = rated.Select(r => UsageFeed.Text(r.Record.Type)).ToArray(),
                Destinations = rated.Select(r => UsageFeed.Text(r.Record.Destination)).ToArray(),
                StartedAts = rated.Select(r => r.Record.StartedAt).ToArray(),
                Quantities = rated.Select(r => r.Record.Quantity).ToArray(),
                Periods = rated.Select(r => r.Record.Period).ToArray(),
                AllowanceQuantities = rated.Select(r => r.AllowanceQuantity).ToArray(),
                ChargedQuantities = rated.Select(r => r.ChargedQuantity).ToArray(),
                Charges = rated.Select(r => r.Charge).ToArray(),
                RefusedQuantities = rated.Select(r => r.RefusedQuantity).ToArray(),
                RefusedAmounts = rated.Select(r => r.RefusedAmount).ToArray(),
            });
        if (inserted != rated.Count) return false;

        if (usedAfter.Count > 0)
            await db.ExecuteAsync(
                """
                INSERT INTO allowance_use (subscription_id, period, type, used) SELECT * FROM unnest(@Lines, @Periods, @Types, @Deltas)
                ON CONFLICT (subscription_id, period, type) DO UPDATE SET used = allowance_use.used + excluded.used
                """,
                new
                {
                    Lines = usedAfter.Select(u => u.Line).ToArray(), Periods = usedAfter.Select(u => u.Period).ToArray(),
                    Types = usedAfter.Select(u => u.Type).ToArray(), Deltas = usedAfter.Select(u => u.Delta).ToArray(),
                });

        var charges = rated.Where(r => r.ChargedQuantity > 0 || r.Charge > 0)
            .GroupBy(r => (r.Record.SubscriptionId, r.Record.Period, Type: UsageFeed.Text(r.Record.Type), Destination: UsageFeed.Text(r.Record.Destination)))
            .Select(g => (g.Key, Quantity: g.Sum(r => r.ChargedQuantity), Amount: g.Sum(r => r.Charge))).ToList();
        if (charges.Count > 0)
            await StoreChargesAsync(db, charges, lines, now);

        foreach (var (line, balance, charged, period) in balances)
        {
            await db.ExecuteAsync("UPDATE consumption_lines SET balance = @balance WHERE subscription_id = @SubscriptionId", new { balance, line.SubscriptionId });
            var (state, change) = LimitRules.AfterPrepaidUsage(State(line), balance, charged, period);
            if (change is not null) await LimitEvents.RecordAsync(db, Identity(line), state, [change], now);
        }
        return true;
    }

    private static async Task StoreChargesAsync(
        UnitOfWork db, List<((long Line, string Period, string Type, string Destination) Key, long Quantity, decimal Amount)> charges,
        Dictionary<long, RatingLine> lines, DateTimeOffset now)
    {
        await db.ExecuteAsync(
            """
            INSERT INTO usage_charges (subscription_id, period, type, destination, quantity, amount)
            SELECT * FROM unnest(@Lines, @Periods, @Types, @Destinations, @Quantities, @Amounts)
            ON CONFLICT (subscription_id, period, type, destination)
            DO UPDATE SET quantity = usage_charges.quantity + excluded.quantity, amount = usage_charges.amount + excluded.amount
            """,
            new
            {
                Lines = charges.Select(c => c.Key.Line).ToArray(), Periods = charges.Select(c => c.Key.Period).ToArray(),
                Types = charges.Select(c => c.Key.Type).ToArray(), Destinations = charges.Select(c => c.Key.Destination).ToArray(),
                Quantities = charges.Select(c => c.Quantity).ToArray(), Amounts = charges.Select(c => c.Amount).ToArray(),
            });
        var months = charges.GroupBy(c => (c.Key.Line, c.Key.Period)).Select(g => (g.Key, Amount: g.Sum(c => c.Amount))).ToList();
        var updated = await db.QueryAsync<MonthRow>(
            """
            INSERT INTO usage_months (subscription_id, period, spent, version) SELECT l, p, a, 1 FROM unnest(@Lines, @Periods, @Amounts) AS m(l, p, a)
            ON CONFLICT (subscription_id, period) DO UPDATE SET spent = usage_months.spent + excluded.spent, version = usage_months.version + 1
            RETURNING subscription_id AS SubscriptionId, period, spent, version
            """,
            new { Lines = months.Select(m => m.Key.Line).ToArray(), Periods = months.Select(m => m.Key.Period).ToArray(), Amounts = months.Select(m => m.Amount).ToArray() });
        var lineIds = updated.Select(u => u.SubscriptionId).Distinct().ToArray();
        var periods = updated.Select(u => u.Period).Distinct().ToArray();
        var breakdown = (await db.QueryAsync<ChargeRow>(
                """
                SELECT subscription_id AS SubscriptionId, period, type, destination, quantity, amount FROM usage_charges
                WHERE subscription_id = ANY(@lineIds) AND period = ANY(@periods) ORDER BY type, destination
                """, new { lineIds, periods }))
            .ToLookup(c => (c.SubscriptionId, c.Period));

        foreach (var month in updated.OrderBy(m => m.SubscriptionId).ThenBy(m => m.Period))
        {
            var line = lines[month.SubscriptionId];
            var paymentType = line.PaymentType is { } text ? EnumText.Parse<PaymentType>(text) : PaymentType.Postpaid;
            await db.PublishAsync(new UsageCharged(
                line.SubscriptionId, line.AccountId, month.Period, paymentType,
                [.. breakdown[(month.SubscriptionId, month.Period)].Select(c => new UsageChargeLine(c.Type, c.Destination, c.Quantity, new Money(c.Amount)))],
                new Money(month.Spent), now, month.Version));
        }

        // The spending cap of postpaid lines, month by month as the batch spent it.
        foreach (var group in updated.GroupBy(m => m.SubscriptionId))
        {
            var line = lines[group.Key];
            if (line.LimitAmount is null || line.PaymentType == "prepaid") continue;
            var state = State(line);
            var changes = new List<LimitChange>();
            foreach (var month in group.OrderBy(m => m.Period))
            {
                var (after, more) = LimitRules.AfterSpending(state, month.Period, month.Spent);
                state = after;
                changes.AddRange(more);
            }
            await LimitEvents.RecordAsync(db, Identity(line), state, changes, now);
        }
    }

    /// <summary>Rates for a product the catalogue gives none (a catalogue older than rates): what the prepaid products charge.</summary>
    public static readonly UsageRates DefaultRates = new(new(0.10m, 0.60m, 0.10m, 1.50m), new(0.10m, 0.30m, 0.10m, 1.00m), new(0.01m, 0.50m, 0.01m, 0.01m));

    private static LimitState State(RatingLine line) => new(line.LimitAmount, line.LimitVersion, line.LimitReachedPeriod, line.LimitWarnedPeriod);

    private static LimitLine Identity(RatingLine line) => new(line.SubscriptionId, line.AccountId, line.UserId);

    private sealed record BonusRow(long SubscriptionId, DateOnly StartDate, DateOnly EndDate, long? DataMb, int? VoiceMinutes, int? Sms);

    private sealed record UseRow(long SubscriptionId, string Period, string Type, long Used);

    private sealed record SpentRow(long SubscriptionId, string Period, decimal Spent);

    private sealed record MonthRow(long SubscriptionId, string Period, decimal Spent, long Version);

    private sealed record ChargeRow(long SubscriptionId, string Period, string Type, string Destination, long Quantity, decimal Amount);
}
