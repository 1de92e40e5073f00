using System.Text.Json;
using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace MasStack.Customer.Features.Tree;

/// <summary>
/// Reads a user's tree from the read model in one round trip of three small queries and caches its JSON in
/// Redis. Every event that changes a tree drops the cached copy after its transaction commits, so the next
/// read rebuilds it; the expiry only bounds memory. Redis being down costs speed, not answers.
/// </summary>
public sealed class CustomerTrees(NpgsqlDataSource database, IConnectionMultiplexer redis, IOptions<JsonOptions> json, ILogger<CustomerTrees> logger)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);

    private static RedisKey Key(long userId) => $"customer:tree:{userId}";

    /// <summary>The tree as JSON, or null when there is no such user.</summary>
    public async Task<string?> GetJsonAsync(long userId)
    {
        var cached = await TryRedis(db => db.StringGetAsync(Key(userId)));
        if (cached.HasValue) return cached.ToString();

        var tree = await LoadAsync(userId);
        if (tree is null) return null;
        var text = JsonSerializer.Serialize(tree, json.Value.SerializerOptions);
        await TryRedis(db => db.StringSetAsync(Key(userId), text, CacheFor));
        return text;
    }

    public void InvalidateAfterCommit(UnitOfWork unitOfWork, long userId) =>
        unitOfWork.AfterCommit(() => TryRedis(db => db.KeyDeleteAsync(Key(userId))));

    private async Task<CustomerTree?> LoadAsync(long userId)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var results = await connection.QueryMultipleAsync(
            """
            SELECT id AS UserId, document_type AS DocumentType, document_number AS DocumentNumber, first_name AS FirstName,
                   last_name AS LastName, email, phone FROM users WHERE id = @userId;
            SELECT account_id, status, payment_type, bundle_code FROM tree_accounts WHERE user_id = @userId ORDER BY account_id;
            SELECT subscription_id, account_id, type, number, product_code, status, barred FROM tree_subscriptions WHERE user_id = @userId ORDER BY subscription_id;
            """, new { userId });
        var user = await results.ReadSingleOrDefaultAsync<TreeUser>();
        if (user is null) return null;
        var accounts = (await results.ReadAsync<(long AccountId, string Status, string PaymentType, string BundleCode)>()).ToList();
        var lines = (await results.ReadAsync<(long SubscriptionId, long AccountId, string Type, string? Number, string ProductCode, string Status, bool Barred)>()).ToList();

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
                lines.Where(l => l.AccountId == id).Select(l => new TreeSubscription(
                    l.SubscriptionId, EnumText.Parse<SubscriptionType>(l.Type), l.Number, l.ProductCode,
                    EnumText.Parse<SubscriptionStatus>(l.Status), l.Barred)).ToList());
        }).ToList());
    }

    private async Task<T?> TryRedis<T>(Func<IDatabase, Task<T>> action)
    {
        try { return await action(redis.GetDatabase()); }
        catch (RedisException e)
        {
            logger.LogWarning(e, "Redis unavailable for the customer tree cache");
            return default;
        }
    }
}
