using System.Text.Json.Nodes;
using Dapper;
using MasStack.Contracts;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests;

/// <summary>
/// Events about a line reach its copies (Customer's tree, Account's lines) in any order: each copy ends in the state of
/// the newest version it received, and a change that arrives before the line itself is applied once the line is there.
/// </summary>
[Collection(SuiteCollection.Name)]
public class EventOrderTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    /// <summary>A line id no service has seen: its events are published here as Subscription's relay would publish them.</summary>
    private static long NewLineId() => Random.Shared.NextInt64(1L << 51, 1L << 52);

    [Fact]
    public async Task Changes_published_before_the_line_is_created_are_applied_once_it_is()
    {
        // Given a customer, and a new line of theirs whose later changes reach the broker before its creation does
        var sale = await _gateway.SellAsync();
        var line = NewLineId();
        var now = DateTimeOffset.UtcNow;
        await suite.PublishAsync(new SubscriptionProductChanged(line, sale.AccountId, sale.UserId, "MOBILE-50GB", "MOBILE-UNLIMITED", now, Version: 3));
        await suite.PublishAsync(new SubscriptionStatusChanged(
            line, sale.AccountId, sale.UserId, SubscriptionStatus.PendingActivation, SubscriptionStatus.Active, "sim-activated", now, Version: 2));

        // When the creation arrives last
        await suite.PublishAsync(new SubscriptionCreated(
            line, sale.AccountId, sale.UserId, null, SubscriptionType.Mobile, null, "MOBILE-50GB", SubscriptionStatus.PendingActivation, now, Version: 1));

        // Then the tree and the account show the line as its newest version has it: active, on the new product
        await WaitForTreeLineAsync(sale.UserId, line, status: "active", product: "MOBILE-UNLIMITED");
        await WaitForAccountLineAsync(sale.AccountId, line, status: "active");
    }

    [Fact]
    public async Task Lines_created_together_after_their_changes_are_each_applied_as_their_own_creation()
    {
        // Given two new lines of a customer, one already activated (version 2) before their creation reaches the broker
        var sale = await _gateway.SellAsync();
        var (first, second) = (NewLineId(), NewLineId());
        var now = DateTimeOffset.UtcNow;
        await suite.PublishAsync(new SubscriptionStatusChanged(
            first, sale.AccountId, sale.UserId, SubscriptionStatus.PendingActivation, SubscriptionStatus.Active, "sim-activated", now, Version: 2));

        // When both are created in one event, twice (a redelivery)
        SubscriptionCreated Created(long line) =>
            new(line, sale.AccountId, sale.UserId, sale.SignupId, SubscriptionType.Mobile, null, "MOBILE-50GB", SubscriptionStatus.PendingActivation, now, Version: 1);
        await suite.PublishAsync(new SubscriptionsCreated(sale.SignupId, [Created(first), Created(second)]), times: 2);

        // Then the tree and the account hold each line once, as its newest version has it
        await WaitForTreeLineAsync(sale.UserId, first, status: "active", product: "MOBILE-50GB");
        await WaitForTreeLineAsync(sale.UserId, second, status: "pending-activation", product: "MOBILE-50GB");
        await WaitForAccountLineAsync(sale.AccountId, first, status: "active");
        await WaitForAccountLineAsync(sale.AccountId, second, status: "pending-activation");
    }

    [Fact]
    public async Task An_older_change_arriving_after_a_newer_one_changes_nothing()
    {
        // Given a line of a customer that the tree and the account hold, active (version 3) on MOBILE-UNLIMITED (version 4)
        var sale = await _gateway.SellAsync();
        var line = NewLineId();
        var now = DateTimeOffset.UtcNow;
        await suite.PublishAsync(new SubscriptionCreated(
            line, sale.AccountId, sale.UserId, null, SubscriptionType.Mobile, null, "MOBILE-50GB", SubscriptionStatus.PendingActivation, now, Version: 1));
        await suite.PublishAsync(new SubscriptionStatusChanged(
            line, sale.AccountId, sale.UserId, SubscriptionStatus.PendingActivation, SubscriptionStatus.Active, "sim-activated", now, Version: 3));
        await suite.PublishAsync(new SubscriptionProductChanged(line, sale.AccountId, sale.UserId, "MOBILE-10GB", "MOBILE-UNLIMITED", now, Version: 4));
        await WaitForTreeLineAsync(sale.UserId, line, status: "active", product: "MOBILE-UNLIMITED");
        await WaitForAccountLineAsync(sale.AccountId, line, status: "active");

        // When changes of versions 2 (cancelled; product MOBILE-10GB) arrive late, and are consumed
        var staleStatus = await suite.PublishAsync(new SubscriptionStatusChanged(
            line, sale.AccountId, sale.UserId, SubscriptionStatus.PendingActivation, SubscriptionStatus.Cancelled, "sale-error", now, Version: 2));
        var staleProduct = await suite.PublishAsync(new SubscriptionProductChanged(line, sale.AccountId, sale.UserId, "MOBILE-50GB", "MOBILE-10GB", now, Version: 2));
        await WaitConsumedAsync(ResourceNames.Customer, staleStatus, staleProduct);
        await WaitConsumedAsync(ResourceNames.Account, staleStatus);

        // Then both copies still hold the newer state
        await using (var customer = await suite.OpenDatabaseAsync(ResourceNames.Customer))
            Assert.Equal(("active", "MOBILE-UNLIMITED"), await customer.QuerySingleAsync<(string, string)>(
                "SELECT status, product_code FROM tree_subscriptions WHERE subscription_id = @line", new { line }));
        var account = await _gateway.GetJsonAsync($"/api/v1/accounts/{sale.AccountId}");
        Assert.Equal("active", (string)AccountLine(account, line)!["status"]!);
    }

    [Fact]
    public async Task The_cancellations_of_an_undone_sales_lines_are_confirmed_by_the_copies_that_removed_them()
    {
        // Given a sale that fails (its email belongs to another customer): Customer and Account remove its lines
        var existing = await _gateway.SellAsync();
        var sale = await _gateway.NewSaleAsync();
        sale["customer"]!["email"] = existing.Email;
        var accepted = await (await _gateway.PostAsJsonAsync("/api/v1/signups", sale)).ReadJsonAsync(HttpStatusCode.Accepted);
        var lines = accepted["subscriptions"]!.AsArray().Select(l => (long)l!["subscriptionId"]!).ToArray();

        // When Subscription cancels them
        await using var subscription = await suite.OpenDatabaseAsync(ResourceNames.Subscription);
        var cancellations = await Eventually.Until(
            async () => (await subscription.QueryAsync<Guid>(
                """
                SELECT message_id FROM outbox_messages WHERE message_type LIKE '%.SubscriptionStatusChanged'
                AND body->>'to' = 'cancelled' AND (body->>'subscriptionId')::bigint = ANY(@lines)
                """, new { lines })).ToArray(),
            found => found.Length == lines.Length, "Subscription to cancel each line of the failed sale");

        // Then the copies that removed the lines confirm the cancellations (no retry of a line they will never hold again)
        await WaitConsumedAsync(ResourceNames.Customer, cancellations);
        await WaitConsumedAsync(ResourceNames.Account, cancellations);
        // And neither holds the lines once its own compensation has run (a late creation does not bring them back)
        await using var customer = await suite.OpenDatabaseAsync(ResourceNames.Customer);
        await Eventually.Until(
            () => customer.ExecuteScalarAsync<long>("SELECT count(*) FROM tree_subscriptions WHERE subscription_id = ANY(@lines)", new { lines }),
            count => count == 0, "the tree to drop the failed sale's lines");
        await using var account = await suite.OpenDatabaseAsync(ResourceNames.Account);
        await Eventually.Until(
            () => account.ExecuteScalarAsync<long>("SELECT count(*) FROM account_subscriptions WHERE subscription_id = ANY(@lines)", new { lines }),
            count => count == 0, "the account to drop the failed sale's lines");
    }

    [Fact]
    public async Task Subscription_numbers_each_change_of_a_line_in_its_events()
    {
        // Given a line created by a sale (version 1)
        var sale = await _gateway.SellMobileWithSimAsync(LineSetup.NewIccid());
        var mobile = sale.Lines[1].SubscriptionId;

        // When it is activated (2) and changes product (3)
        await suite.ActivateAsync(mobile);
        (await _gateway.SendJsonAsync(HttpMethod.Put, $"/api/v1/subscriptions/{mobile}/product", new { productCode = "MOBILE-UNLIMITED" }))
            .EnsureSuccessStatusCode();

        // Then its events, in the order they were written, carry versions 1, 2 and 3 (its creation within the sale's lines)
        await using var subscription = await suite.OpenDatabaseAsync(ResourceNames.Subscription);
        var events = (await subscription.QueryAsync<(string Type, long Version)>(
            """
            SELECT substring(message_type from '[^.]+$'), (coalesce(line, body)->>'version')::bigint
            FROM outbox_messages LEFT JOIN LATERAL jsonb_array_elements(body->'lines') line ON true
            WHERE message_type LIKE 'MasStack.Contracts.Subscription%' AND (coalesce(line, body)->>'subscriptionId')::bigint = @mobile
            ORDER BY id
            """, new { mobile })).ToList();
        Assert.Equal(new[] { ("SubscriptionsCreated", 1L), ("SubscriptionStatusChanged", 2L), ("SubscriptionProductChanged", 3L) }, events);
    }

    [Fact]
    public async Task Portability_moves_announced_together_keep_their_order_in_subscriptions_copy()
    {
        // Given the moves of a ported line announced in one go (one timestamp): accepted (version 2), then scheduled (3)
        var line = NewLineId();
        var now = DateTimeOffset.UtcNow;
        var number = "+34" + Sales.NewMobile();
        PortabilityChanged Move(string state, long version) =>
            new(line, NewLineId(), number, "vodafone", state, null, now.AddDays(2), now.AddDays(2).AddHours(4), now, version);

        // When the later move reaches Subscription first
        var scheduled = await suite.PublishAsync(Move("scheduled", 3));
        await WaitConsumedAsync(ResourceNames.Subscription, scheduled);
        var accepted = await suite.PublishAsync(Move("accepted", 2));
        await WaitConsumedAsync(ResourceNames.Subscription, accepted);

        // Then the copy keeps the newer state
        await using var subscription = await suite.OpenDatabaseAsync(ResourceNames.Subscription);
        Assert.Equal("scheduled", await subscription.QuerySingleAsync<string>(
            "SELECT state FROM subscription_portability WHERE subscription_id = @line", new { line }));
    }

    private async Task WaitForTreeLineAsync(long userId, long line, string status, string product) =>
        await Eventually.Until(
            () => _gateway.GetJsonAsync($"/api/v1/users/{userId}/tree"),
            tree => TreeLine(tree, line) is { } shown && (string)shown["status"]! == status && (string)shown["productCode"]! == product,
            $"the tree to show line {line} {status} on {product}");

    private async Task WaitForAccountLineAsync(long accountId, long line, string status) =>
        await Eventually.Until(
            () => _gateway.GetJsonAsync($"/api/v1/accounts/{accountId}"),
            account => AccountLine(account, line) is { } shown && (string)shown["status"]! == status,
            $"the account to show line {line} {status}");

    /// <summary>Waits until the service's consumers have recorded the messages in their inbox (consumed, with or without effect).</summary>
    private async Task WaitConsumedAsync(string service, params Guid[] messageIds)
    {
        await using var database = await suite.OpenDatabaseAsync(service);
        await Eventually.Until(
            () => database.ExecuteScalarAsync<long>("SELECT count(DISTINCT message_id) FROM inbox_messages WHERE message_id = ANY(@messageIds)", new { messageIds }),
            count => count == messageIds.Length, $"{service} to consume the messages");
    }

    private static JsonNode? TreeLine(JsonObject tree, long line) =>
        tree["accounts"]!.AsArray().SelectMany(a => a!["subscriptions"]!.AsArray()).SingleOrDefault(l => (long)l!["subscriptionId"]! == line);

    private static JsonNode? AccountLine(JsonObject account, long line) =>
        account["subscriptions"]!.AsArray().SingleOrDefault(l => (long)l!["subscriptionId"]! == line);
}
