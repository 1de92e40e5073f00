using System.Text.Json;
using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace MasStack.Customer.Features.Tree;

/// <summary>
/// Reads a user's tree from the read model and caches its JSON in Redis, with the key → user mappings of the
/// lookups, so a cached tree is served without PostgreSQL. Every event that changes a tree drops the cached copy
/// after its transaction commits and bumps the user's generation: a reader that loaded the tree before the change
/// cannot put its stale copy back (the write is conditional on the generation it started from). The expiry only
/// bounds memory. Redis being down costs speed, not answers.
/// </summary>
public sealed class CustomerTrees(NpgsqlDataSource database, IConnectionMultiplexer redis, IOptions<JsonOptions> json, ILogger<CustomerTrees> logger)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan GenerationFor = TimeSpan.FromHours(1);

    private const string SetIfGenerationUnchanged =
        """
        if (redis.call('GET', KEYS[2]) or '0') == ARGV[2] then return redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3]) end
        return false
        """;

    private const string Invalidate =
        """
        redis.call('INCR', KEYS[2])
        redis.call('EXPIRE', KEYS[2], ARGV[1])
        for i = 1, #KEYS do if i ~= 2 then redis.call('DEL', KEYS[i]) end end
        return true
        """;

    private static RedisKey TreeKey(long userId) => $"customer:tree:{userId}";

    private static RedisKey GenerationKey(long userId) => $"customer:tree-generation:{userId}";

    /// <summary>The tree as JSON, or null when there is no such user.</summary>
    public async Task<string?> GetJsonAsync(long userId)
    {
        var cached = await TryRedis(db => db.StringGetAsync(TreeKey(userId)));
        if (cached.HasValue) return cached.ToString();

        var generation = await TryRedis(db => db.StringGetAsync(GenerationKey(userId)));
        var tree = await LoadAsync(userId);
        if (tree is null) return null;
        var text = JsonSerializer.Serialize(tree, json.Value.SerializerOptions);
        await TryRedis(db => db.ScriptEvaluateAsync(SetIfGenerationUnchanged,
            [TreeKey(userId), GenerationKey(userId)],
            [text, generation.HasValue ? generation : (RedisValue)"0", (long)CacheFor.TotalSeconds]));
        return text;
    }

    /// <summary>The tree of the user the key finds, or null when none does.</summary>
    public async Task<string?> FindJsonAsync(TreeLookup lookup)
    {
        var cachedUser = await TryRedis(db => db.StringGetAsync(lookup.CacheKey));
        if (cachedUser.TryParse(out long cachedUserId) && await GetJsonAsync(cachedUserId) is { } cachedTree && lookup.IsFoundIn(cachedTree))
            return cachedTree;

        var userId = await FindUserAsync(lookup);
        if (userId is null || await GetJsonAsync(userId.Value) is not { } tree) return null;
        if (lookup.IsFoundIn(tree)) await TryRedis(db => db.StringSetAsync(lookup.CacheKey, userId.Value, CacheFor));
        return tree;
    }

    /// <summary>Once the transaction commits, drops the user's cached tree and the given lookups (a number or email that moved).</summary>
    /// <remarks>Redis failing here is not swallowed: the unit of work retries the invalidation until Redis takes it.</remarks>
    public void InvalidateAfterCommit(UnitOfWork unitOfWork, long userId, params IEnumerable<TreeLookup> lookups)
    {
        RedisKey[] keys = [TreeKey(userId), GenerationKey(userId), .. lookups.Select(l => (RedisKey)l.CacheKey)];
        unitOfWork.AfterCommit(() => redis.GetDatabase().ScriptEvaluateAsync(Invalidate, keys, [(long)GenerationFor.TotalSeconds]));
    }

    private async Task<long?> FindUserAsync(TreeLookup lookup)
    {
        var sql = lookup.Kind switch
        {
            LookupKind.Email => "SELECT id FROM users WHERE email = @Value",
            LookupKind.DocumentNumber => "SELECT id FROM users WHERE document_number = @Value",
            // A number reused after a cancellation finds the holder of the live line first.
            _ => $"""
                 SELECT user_id FROM tree_subscriptions WHERE number = @Value
                 ORDER BY status IN ({EndedLines.Sql}), created_at DESC LIMIT 1
                 """,
        };
        await using var connection = await database.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<long?>(sql, new { lookup.Value });
    }

    private async Task<CustomerTree?> LoadAsync(long userId)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var results = await connection.QueryMultipleAsync(
            """
            SELECT id AS UserId, document_type AS DocumentType, document_number AS DocumentNumber, first_name AS FirstName,
                   last_name AS LastName, email, phone FROM users WHERE id = @userId;
            SELECT account_id, status, payment_type, bundle_code FROM tree_accounts WHERE user_id = @userId ORDER BY account_id;
            SELECT subscription_id AS SubscriptionId, account_id AS AccountId, type, number, product_code AS ProductCode, status, barred,
                   agile_tv_email AS AgileTvEmail, array_to_string(barrings, ',') AS Barrings, sim_status AS SimStatus
            FROM tree_subscriptions WHERE user_id = @userId ORDER BY subscription_id;
            """, new { userId });
        var user = await results.ReadSingleOrDefaultAsync<TreeUser>();
        if (user is null) return null;
        var accounts = (await results.ReadAsync<(long AccountId, string Status, string PaymentType, string BundleCode)>()).ToList();
        var lines = (await results.ReadAsync<TreeLineRow>()).ToList();

        // A line's event may arrive before its account's: the line is shown under its account id all the same.
        var accountIds = accounts.Select(a => a.AccountId).Union(lines.Select(l => l.AccountId)).Order();
        return new CustomerTree(user, accountIds.Select(id =>
        {
            var account = accounts.FirstOrDefault(a => a.AccountId == id);
            return new TreeAccount(
                id,
                account.Status is null ? null : EnumText.Parse<AccountStatus>(account.Status),
                account.PaymentType is null ? null : EnumText.Parse<PaymentType>(account.PaymentType),
                account.BundleCode,
                lines.Where(l => l.AccountId == id).Select(l =>
                {
                    var type = EnumText.Parse<SubscriptionType>(l.Type);
                    return new TreeSubscription(
                        l.SubscriptionId, type, l.Number, l.ProductCode, EnumText.Parse<SubscriptionStatus>(l.Status), l.Barred,
                        l.Barrings.Split(',', StringSplitOptions.RemoveEmptyEntries), l.SimStatus,
                        type == SubscriptionType.Tv ? l.AgileTvEmail ?? user.Email : null);
                }).ToList());
        }).ToList());
    }

    private sealed record TreeLineRow(
        long SubscriptionId, long AccountId, string Type, string? Number, string ProductCode, string Status, bool Barred, string? AgileTvEmail,
        string Barrings, string SimStatus);

    private async Task<T?> TryRedis<T>(Func<IDatabase, Task<T>> action)
    {
        try { return await action(redis.GetDatabase()); }
        catch (Exception e) when (DependencyFailures.IsRedisUnavailable(e))
        {
            logger.LogWarning(e, "Redis unavailable for the customer tree cache");
            return default;
        }
    }
}
