using Dapper;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.ServiceDefaults;
using Npgsql;
using StackExchange.Redis;

namespace MasStack.Signup.Features.Numbers;

public sealed record NumberRange(string Network, string Type, long FirstNumber, long LastNumber)
{
    public bool Contains(long national) => national >= FirstNumber && national <= LastNumber;
}

public enum ClaimOutcome { Claimed, NotReserved, ReservedByAnother, Taken }

/// <summary>
/// The numbers of our ranges: a number is taken when a sale holds it (a row in <c>numbers</c>: assigned, active,
/// ported-out, or quarantined after its line was terminated until <c>quarantined_until</c>), held when a reservation in
/// Redis names it (expiring by itself after <see cref="HoldFor"/>), and free otherwise — a number whose quarantine has
/// ended is free again, and the sale that takes it takes its row over.
/// </summary>
public sealed class NumberStock(NpgsqlDataSource database, IConnectionMultiplexer redis)
{
    public static readonly TimeSpan HoldFor = TimeSpan.FromMinutes(15);

    private static RedisKey HoldKey(string msisdn) => $"signup:msisdn-hold:{msisdn}";

    /// <summary>SQL: the <c>numbers</c> row (alias <c>n</c>) still keeps its number from being sold.</summary>
    private const string StillTaken = "NOT (n.state = 'quarantined' AND n.quarantined_until <= now())";

    /// <summary>Takes a free number's row for a line: a new row, or the row of a number whose quarantine has ended.</summary>
    private const string InsertTaking =
        """
        INSERT INTO numbers AS n (msisdn, network, state, signup_id, subscription_id) VALUES (@msisdn, @network, 'assigned', @signupId, @subscriptionId)
        ON CONFLICT (msisdn) DO UPDATE SET network = excluded.network, state = 'assigned', signup_id = excluded.signup_id,
            subscription_id = excluded.subscription_id, quarantined_until = NULL, updated_at = now()
        WHERE n.state = 'quarantined' AND n.quarantined_until <= now()
        """;

    public static long National(string e164) => long.Parse(e164[3..]);

    public static string E164(long national) => $"+34{national}";

    private IReadOnlyList<NumberRange>? _ranges;

    /// <summary>
    /// Our number ranges. The regulator assigns them and the schema's migrations write them, so they change only with a
    /// deployment: they are read once per process (a sale needed them twice, each a query of its own), not per call.
    /// </summary>
    public async Task<IReadOnlyList<NumberRange>> RangesAsync()
    {
        if (_ranges is { } ranges) return ranges;
        await using var connection = await database.OpenConnectionAsync();
        return _ranges = (await connection.QueryAsync<NumberRange>(
            "SELECT network, type, first_number AS FirstNumber, last_number AS LastNumber FROM number_ranges ORDER BY first_number")).AsList();
    }

    public async Task<NumberRange?> RangeOfAsync(string e164) => (await RangesAsync()).FirstOrDefault(r => r.Contains(National(e164)));

    /// <summary>Holds a free number; null when it is already held or taken.</summary>
    public async Task<(long ReservationId, DateTimeOffset ExpiresAt)?> HoldAsync(string msisdn, long reservationId, TimeProvider clock)
    {
        await using (var connection = await database.OpenConnectionAsync())
            if (await connection.ExecuteScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM numbers n WHERE msisdn = @msisdn AND {StillTaken})", new { msisdn }))
                return null;
        var held = await Redis(db => db.StringSetAsync(HoldKey(msisdn), reservationId, HoldFor, When.NotExists));
        return held ? (reservationId, clock.GetUtcNow().Add(HoldFor)) : null;
    }

    /// <summary>
    /// Takes a held number for a line of a sale, in the sale's transaction. The hold is dropped only after commit,
    /// so no other reservation can slip in between; two sales naming one number meet on the primary key.
    /// </summary>
    public async Task<ClaimOutcome> ClaimAsync(UnitOfWork db, string msisdn, long reservationId, string network, long signupId, long subscriptionId)
    {
        var holder = await Redis(r => r.StringGetAsync(HoldKey(msisdn)));
        if (holder.IsNull) return ClaimOutcome.NotReserved;
        if ((long)holder != reservationId) return ClaimOutcome.ReservedByAnother;
        var inserted = await db.ExecuteAsync(InsertTaking, new { msisdn, network, signupId, subscriptionId });
        if (inserted == 0) return ClaimOutcome.Taken;
        db.AfterCommit(() => redis.GetDatabase().KeyDeleteAsync(HoldKey(msisdn)));
        return ClaimOutcome.Claimed;
    }

    /// <summary>
    /// Takes any free number of the network for a line that did not choose one (an online sale). It looks for one free
    /// number at a time (each candidate costs a Redis round trip, to see that no reservation holds it): the first one found
    /// is nearly always the one claimed, and another sale claiming it first only costs another look.
    /// </summary>
    public async Task<string?> ClaimAnyAsync(UnitOfWork db, string network, string type, long signupId, long subscriptionId)
    {
        for (var attempt = 0; attempt < 25; attempt++)
        foreach (var msisdn in await FreeAsync(network, type, 1))
        {
            var inserted = await db.ExecuteAsync(InsertTaking, new { msisdn, network, signupId, subscriptionId });
            if (inserted == 1) return msisdn;
        }
        return null;
    }

    /// <summary>Free numbers of the network, picked at random across its ranges so that tills do not all offer the same ones.</summary>
    public async Task<IReadOnlyList<string>> FreeAsync(string network, string? type, int count)
    {
        var ranges = (await RangesAsync()).Where(r => r.Network == network && (type is null || r.Type == type)).ToList();
        if (ranges.Count == 0) return [];
        var candidates = Enumerable.Range(0, count * 3)
            .Select(_ => ranges[Random.Shared.Next(ranges.Count)])
            .Select(r => E164(Random.Shared.NextInt64(r.FirstNumber, r.LastNumber + 1)))
            .Where(n => !Platform.Formats.PhoneNumber.IsPremiumRate(n))
            .Distinct().ToArray();
        await using var connection = await database.OpenConnectionAsync();
        var taken = (await connection.QueryAsync<string>($"SELECT msisdn FROM numbers n WHERE msisdn = ANY(@candidates) AND {StillTaken}", new { candidates }))
            .ToHashSet();
        var free = new List<string>();
        foreach (var candidate in candidates.Where(c => !taken.Contains(c)))
        {
            if (free.Count == count) break;
            if (!await Redis(r => r.KeyExistsAsync(HoldKey(candidate)))) free.Add(candidate);
        }
        return free.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A terminated line's number rests until <paramref name="until"/> before it can be sold again.</summary>
    public static Task QuarantineAsync(UnitOfWork db, long subscriptionId, DateTimeOffset until) =>
        db.ExecuteAsync(
            "UPDATE numbers SET state = 'quarantined', quarantined_until = @until, updated_at = now() WHERE subscription_id = @subscriptionId AND state IN ('assigned', 'active')",
            new { subscriptionId, until });

    /// <summary>A number ported to another operator has left our stock: it is kept as ported-out, never offered again.</summary>
    public static Task PortedOutAsync(UnitOfWork db, long subscriptionId) =>
        db.ExecuteAsync(
            "UPDATE numbers SET state = 'ported-out', quarantined_until = NULL, updated_at = now() WHERE subscription_id = @subscriptionId",
            new { subscriptionId });

    /// <summary>Numbers of a failed sale or a cancelled line go back to stock.</summary>
    public static Task ReleaseAsync(UnitOfWork db, long? signupId = null, long? subscriptionId = null) =>
        db.ExecuteAsync(
            "DELETE FROM numbers WHERE (@signupId::bigint IS NOT NULL AND signup_id = @signupId) OR subscription_id = @subscriptionId",
            new { signupId, subscriptionId });

    private async Task<T> Redis<T>(Func<IDatabase, Task<T>> action)
    {
        try
        {
            return await action(redis.GetDatabase());
        }
        catch (Exception e) when (DependencyFailures.IsRedisUnavailable(e))
        {
            throw new DependencyUnavailableException(ResourceNames.Redis, e);
        }
    }

    private Task Redis(Func<IDatabase, Task> action) => Redis(async db => { await action(db); return true; });
}
