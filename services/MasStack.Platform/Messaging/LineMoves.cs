using MasStack.Contracts;
using MasStack.Platform.Data;

namespace MasStack.Platform.Messaging;

/// <summary>
/// A copy of a line that records its account (<c>account_id</c>) follows the line's moves between accounts
/// (<see cref="SubscriptionAccountChanged"/>, a migration or its undoing), each applied only when newer than the last
/// move it applied (<c>account_version</c>): a late undo never overtakes the move it undid.
/// </summary>
public static class LineMoves
{
    /// <summary>Moves the copy; false when the move is stale or the copy was removed on purpose.</summary>
    public static async Task<bool> ApplyAsync(UnitOfWork db, AggregateCopy copy, SubscriptionAccountChanged move)
    {
        if (!await EventVersions.AppliesAsync(db, copy, "account_version", move.SubscriptionId, move.Version)) return false;
        await db.ExecuteAsync(
            $"UPDATE {copy.Table} SET account_id = @ToAccountId, account_version = @Version WHERE {copy.Key} = @SubscriptionId",
            new { move.ToAccountId, move.Version, move.SubscriptionId });
        return true;
    }
}

/// <summary>A copy of an account that records its bundle (<c>bundle_code</c>) follows its bundle changes, each applied only when newer (<c>bundle_version</c>).</summary>
public static class BundleChanges
{
    public static async Task<bool> ApplyAsync(UnitOfWork db, AggregateCopy copy, AccountBundleChanged change)
    {
        if (!await EventVersions.AppliesAsync(db, copy, "bundle_version", change.AccountId, change.Version)) return false;
        await db.ExecuteAsync(
            $"UPDATE {copy.Table} SET bundle_code = @ToBundleCode, bundle_version = @Version WHERE {copy.Key} = @AccountId",
            new { change.ToBundleCode, change.Version, change.AccountId });
        return true;
    }
}
