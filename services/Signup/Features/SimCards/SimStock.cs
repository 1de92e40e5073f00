using Dapper;
using MasStack.Platform.Data;
using MasStack.Platform.Formats;
using MasStack.Signup.Features.MasterData;
using MasStack.ServiceDefaults;
using Npgsql;

namespace MasStack.Signup.Features.SimCards;

public sealed record SimCardView(string Iccid, string Network, string State, long? SubscriptionId, DateTimeOffset UpdatedAt);

/// <summary>Why a SIM swap cannot be made: 409 (a SIM's state) or 422 (a rule: unknown SIM, another network).</summary>
public sealed record SwapRefusal(int Status, string Detail)
{
    public static SwapRefusal Conflict(string detail) => new(StatusCodes.Status409Conflict, detail);

    public static SwapRefusal Rule(string detail) => new(StatusCodes.Status422UnprocessableEntity, detail);
}

/// <summary>The SIM cards in stock and where each one is: available, assigned to a line, active, replaced, blocked or deactivated.</summary>
public static class SimStock
{
    public const string Available = "available", Assigned = "assigned", Active = "active", Replaced = "replaced", Blocked = "blocked",
        Deactivated = "deactivated";

    public static readonly string[] States = [Available, Assigned, Active, Replaced, Blocked, Deactivated];

    /// <summary>The SIM of a line that ended (terminated or ported out) is out of service for good.</summary>
    public static Task DeactivateAsync(UnitOfWork db, long subscriptionId) =>
        db.ExecuteAsync(
            "UPDATE sim_cards SET state = 'deactivated', updated_at = now() WHERE subscription_id = @subscriptionId AND state IN ('assigned', 'active', 'blocked')",
            new { subscriptionId });

    public const string Columns = "iccid, network, state, subscription_id AS SubscriptionId, updated_at AS UpdatedAt";

    /// <summary>Takes the scanned SIM for a line: it must be in stock and of the line's network.</summary>
    public static async Task<string?> AssignAsync(UnitOfWork db, string iccid, string network, long signupId, long subscriptionId)
    {
        var sim = await db.QuerySingleOrDefaultAsync<SimCardView>($"SELECT {Columns} FROM sim_cards WHERE iccid = @iccid FOR UPDATE", new { iccid });
        if (sim is null) return "There is no such SIM card in stock.";
        if (sim.State != Available) return $"The SIM card is {sim.State}, not available.";
        if (sim.Network != network) return $"The SIM card is of the {sim.Network} network, the line's number of {network}.";
        await db.ExecuteAsync(
            "UPDATE sim_cards SET state = 'assigned', signup_id = @signupId, subscription_id = @subscriptionId, updated_at = now() WHERE iccid = @iccid",
            new { iccid, signupId, subscriptionId });
        return null;
    }

    /// <summary>Any SIM of the network from stock, for a line sold online (shipped to the customer).</summary>
    public static Task<string?> AssignAnyAsync(UnitOfWork db, string network, long signupId, long subscriptionId) =>
        db.QuerySingleOrDefaultAsync<string>(
            """
            UPDATE sim_cards SET state = 'assigned', signup_id = @signupId, subscription_id = @subscriptionId, updated_at = now()
            WHERE iccid = (SELECT iccid FROM sim_cards WHERE network = @network AND state = 'available' ORDER BY iccid LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING iccid
            """, new { network, signupId, subscriptionId });

    /// <summary>SIMs of a failed sale or of a line cancelled before activation go back to stock.</summary>
    public static Task ReleaseAsync(UnitOfWork db, long? signupId = null, long? subscriptionId = null) =>
        db.ExecuteAsync(
            """
            UPDATE sim_cards SET state = 'available', signup_id = NULL, subscription_id = NULL, updated_at = now()
            WHERE state = 'assigned' AND ((@signupId::bigint IS NOT NULL AND signup_id = @signupId) OR subscription_id = @subscriptionId)
            """, new { signupId, subscriptionId });

    /// <summary>The line's SIM in service (assigned or active) is blocked in stock: reported lost or stolen, it must never serve again.</summary>
    public static Task BlockAsync(UnitOfWork db, long subscriptionId) =>
        db.ExecuteAsync(
            """
            UPDATE sim_cards SET state = 'blocked', blocked_from_state = state, updated_at = now()
            WHERE subscription_id = @subscriptionId AND state IN ('assigned', 'active')
            """, new { subscriptionId });

    /// <summary>The line's blocked SIM returns to the state it had before the block (a SIM found again).</summary>
    public static Task UnblockAsync(UnitOfWork db, long subscriptionId) =>
        db.ExecuteAsync(
            """
            UPDATE sim_cards SET state = coalesce(blocked_from_state, 'active'), blocked_from_state = NULL, updated_at = now()
            WHERE subscription_id = @subscriptionId AND state = 'blocked'
            """, new { subscriptionId });

    /// <summary>
    /// A line's SIM is swapped: the new SIM takes the line (active, or assigned while the line is not live yet) and
    /// the old one becomes <c>replaced</c>, both locked in this transaction. A repeat of a swap already made changes
    /// nothing but, given a <paramref name="claimId"/>, hands the claim to that attempt. Returns the new SIM, or why the
    /// swap cannot be made: 409 when a SIM is not in a state for it, 422 when a SIM is unknown or of another network.
    /// </summary>
    public static async Task<(SimCardView? Sim, SwapRefusal? Refusal)> SwapAsync(
        UnitOfWork db, long subscriptionId, string oldIccid, string newIccid, long? claimId = null)
    {
        var sims = await LockPairAsync(db, oldIccid, newIccid);
        if (!sims.TryGetValue(newIccid, out var fresh)) return (null, SwapRefusal.Rule($"The SIM {newIccid} is not in stock."));
        if (!sims.TryGetValue(oldIccid, out var old))
            return (null, SwapRefusal.Rule("The line's current SIM is not in stock records; its network cannot be checked."));
        if (fresh.SubscriptionId == subscriptionId && old.State == Replaced)
        {
            if (claimId is not null)
                await db.ExecuteAsync("UPDATE sim_cards SET swap_claim_id = @claimId WHERE iccid = @newIccid", new { claimId, newIccid });
            return (fresh, null);
        }

        if (old.SubscriptionId != subscriptionId) return (fresh, SwapRefusal.Conflict("The SIM to replace is not the line's SIM."));
        if (old.State is not (Assigned or Active or Blocked)) return (fresh, SwapRefusal.Conflict($"The SIM to replace is {old.State}."));
        if (fresh.State != Available) return (fresh, SwapRefusal.Conflict($"The SIM {newIccid} is {fresh.State}, not available."));
        if (fresh.Network != old.Network)
            return (fresh, SwapRefusal.Rule($"The SIM {newIccid} is of the network {fresh.Network}; the line's is {old.Network}."));

        var state = old.State == Assigned ? Assigned : Active;
        await db.ExecuteAsync(
            "UPDATE sim_cards SET state = 'replaced', replaced_from_state = state, updated_at = now() WHERE iccid = @oldIccid", new { oldIccid });
        var updatedAt = await db.QuerySingleOrDefaultAsync<DateTimeOffset>(
            """
            UPDATE sim_cards SET state = @state, subscription_id = @subscriptionId, swap_claim_id = @claimId,
                   signup_id = (SELECT signup_id FROM sim_cards WHERE iccid = @oldIccid), updated_at = now()
            WHERE iccid = @newIccid
            RETURNING updated_at
            """, new { newIccid, state, subscriptionId, oldIccid, claimId });
        return (fresh with { State = state, SubscriptionId = subscriptionId, UpdatedAt = updatedAt }, null);
    }

    /// <summary>
    /// Undoes the swap that the attempt <paramref name="claimId"/> claimed and whose line could not change: the new SIM
    /// goes back to stock and the old one to the state it had. Anything else (a claim another attempt took over, a swap
    /// undone already) is left alone; returns whether it undid something.
    /// </summary>
    public static async Task<bool> ReleaseSwapAsync(UnitOfWork db, long subscriptionId, string oldIccid, string newIccid, long claimId)
    {
        var sims = await LockPairAsync(db, oldIccid, newIccid);
        if (!sims.TryGetValue(newIccid, out var fresh) || !sims.TryGetValue(oldIccid, out var old)) return false;
        var claimed = await db.QuerySingleOrDefaultAsync<long?>("SELECT swap_claim_id FROM sim_cards WHERE iccid = @newIccid", new { newIccid });
        if (claimed != claimId || fresh.SubscriptionId != subscriptionId || old.State != Replaced || old.SubscriptionId != subscriptionId)
            return false;
        await db.ExecuteAsync(
            """
            UPDATE sim_cards SET state = coalesce(replaced_from_state, 'active'), replaced_from_state = NULL, updated_at = now()
            WHERE iccid = @oldIccid
            """, new { oldIccid });
        await db.ExecuteAsync(
            """
            UPDATE sim_cards SET state = 'available', subscription_id = NULL, signup_id = NULL, swap_claim_id = NULL, updated_at = now()
            WHERE iccid = @newIccid
            """, new { newIccid });
        return true;
    }

    private static async Task<Dictionary<string, SimCardView>> LockPairAsync(UnitOfWork db, string oldIccid, string newIccid) =>
        (await db.QueryAsync<SimCardView>(
            $"SELECT {Columns} FROM sim_cards WHERE iccid IN (@newIccid, @oldIccid) ORDER BY iccid FOR UPDATE",
            new { newIccid, oldIccid })).ToDictionary(s => s.Iccid);

    /// <summary>A SIM's serial: the network's issuer code, a 12-digit serial and the Luhn check digit.</summary>
    public static string IccidOf(string issuer, long serial)
    {
        var payload = $"{issuer}{serial:D12}";
        return payload + Iccid.CheckDigit(payload);
    }
}

/// <summary>Fills the SIM stock of each mobile network at first start.</summary>
public sealed class SimStockSeeder(NpgsqlDataSource database, IConfiguration configuration) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Source.StartActivity("seed sim stock");
        var perNetwork = configuration.GetValue("Signup:SeedSimCardsPerNetwork", 5000);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        foreach (var network in MasterDataSet.Networks.Where(n => n.SimIssuer is not null))
        {
            if (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM sim_cards WHERE network = @Code)", new { network.Code }))
                continue;
            var iccids = Enumerable.Range(1, perNetwork).Select(i => SimStock.IccidOf(network.SimIssuer!, 100_000_000 + i)).ToArray();
            await connection.ExecuteAsync(
                "INSERT INTO sim_cards (iccid, network) SELECT unnest(@iccids), @Code ON CONFLICT DO NOTHING", new { iccids, network.Code });
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
