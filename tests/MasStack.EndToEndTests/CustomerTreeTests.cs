using System.Text.Json.Nodes;
using MasStack.Contracts;
using MasStack.EndToEndTests.Infrastructure;

namespace MasStack.EndToEndTests;

[Collection(SuiteCollection.Name)]
public class CustomerTreeTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    private static JsonNode Line(JsonObject tree, long subscriptionId) =>
        tree["accounts"]!.AsArray().SelectMany(a => a!["subscriptions"]!.AsArray()).Single(l => (long)l!["subscriptionId"]! == subscriptionId)!;

    [Fact]
    public async Task The_tree_is_found_by_each_key_in_every_accepted_spelling_cached_or_not()
    {
        var sale = await _gateway.SellAsync();
        var national = sale.Lines.Single(l => l.Type == "mobile").Number![3..];
        var spaced = $"{national[..3]} {national[3..6]} {national[6..]}";
        var queries = new[]
        {
            $"email={Uri.EscapeDataString(sale.Email)}", $"email={Uri.EscapeDataString(sale.Email.ToUpperInvariant())}",
            $"documentNumber={sale.DocumentNumber}", $"documentNumber={sale.DocumentNumber.ToLowerInvariant()}",
            $"msisdn={national}", $"msisdn=%2B34{national}", $"msisdn=0034{national}", $"msisdn={Uri.EscapeDataString(spaced)}",
        };

        // Twice: the first read of each key fills the cache, the second is served from it; both find the same user
        foreach (var round in new[] { "uncached", "cached" })
        foreach (var query in queries)
        {
            var response = await _gateway.GetAsync($"/api/v1/customer-tree?{query}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{round} {query}: {(int)response.StatusCode}");
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var tree = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(sale.UserId, (long)tree["user"]!["userId"]!);
            Assert.Equal(sale.AccountId, (long)tree["accounts"]![0]!["accountId"]!);
        }
    }

    [Fact]
    public async Task A_lookup_by_none_or_two_keys_or_a_malformed_one_is_400_and_by_an_unknown_one_404()
    {
        await (await _gateway.GetAsync("/api/v1/customer-tree")).AssertProblemAsync(HttpStatusCode.BadRequest, "query");
        await (await _gateway.GetAsync("/api/v1/customer-tree?email=a@example.com&msisdn=612345678"))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "query");
        await (await _gateway.GetAsync("/api/v1/customer-tree?msisdn=12345")).AssertProblemAsync(HttpStatusCode.BadRequest, "msisdn");
        await (await _gateway.GetAsync("/api/v1/customer-tree?msisdn=%2B33612345678")).AssertProblemAsync(HttpStatusCode.BadRequest, "msisdn");
        await (await _gateway.GetAsync("/api/v1/customer-tree?email=not-an-email")).AssertProblemAsync(HttpStatusCode.BadRequest, "email");
        await (await _gateway.GetAsync("/api/v1/customer-tree?documentNumber=%3F%3F")).AssertProblemAsync(HttpStatusCode.BadRequest, "documentNumber");

        await (await _gateway.GetAsync($"/api/v1/customer-tree?email=nobody.{Guid.NewGuid():N}@example.com")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _gateway.GetAsync($"/api/v1/customer-tree?msisdn={Sales.NewMobile()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _gateway.GetAsync($"/api/v1/customer-tree?documentNumber={Sales.NewDni()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _gateway.GetAsync("/api/v1/users/4503599627370000/tree")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_line_status_change_in_subscription_shows_in_the_cached_tree()
    {
        // Given a tree read (and cached) by user id and by number
        var sale = await _gateway.SellAsync();
        var mobile = sale.Lines.Single(l => l.Type == "mobile");
        var byNumber = $"/api/v1/customer-tree?msisdn={Uri.EscapeDataString(mobile.Number!)}";
        Assert.Equal("pending-activation", (string)Line((await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/users/{sale.UserId}/tree"))!, mobile.SubscriptionId)["status"]!);
        Assert.Equal("pending-activation", (string)Line((await _gateway.GetFromJsonAsync<JsonObject>(byNumber))!, mobile.SubscriptionId)["status"]!);

        // When Subscription announces the line is active
        await suite.PublishAsync(new SubscriptionStatusChanged(
            mobile.SubscriptionId, sale.AccountId, sale.UserId, SubscriptionStatus.PendingActivation, SubscriptionStatus.Active, "sim-activated",
            DateTimeOffset.UtcNow));

        // Then the cached tree shows it (long before the cache would expire), and so does the next read by number
        await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/users/{sale.UserId}/tree")!,
            tree => (string)Line(tree!, mobile.SubscriptionId)["status"]! == "active", "the tree by user to show the line active");
        Assert.Equal("active", (string)Line((await _gateway.GetFromJsonAsync<JsonObject>(byNumber))!, mobile.SubscriptionId)["status"]!);
    }

    [Fact]
    public async Task A_barring_change_shows_the_line_barred_and_the_newest_change_wins()
    {
        var sale = await _gateway.SellAsync();
        var mobile = sale.Lines.Single(l => l.Type == "mobile");
        Assert.False((bool)Line((await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/users/{sale.UserId}/tree"))!, mobile.SubscriptionId)["barred"]!);

        // When Barring announces an outgoing barring, and later a stale "lifted" from before it arrives
        var barredAt = DateTimeOffset.UtcNow;
        await suite.PublishAsync(new SubscriptionBarringChanged(
            mobile.SubscriptionId, sale.AccountId, sale.UserId, true, ["baoc"], "consumption-limit", barredAt));
        await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/users/{sale.UserId}/tree")!,
            tree => (bool)Line(tree!, mobile.SubscriptionId)["barred"]!, "the tree to show the line barred");
        var stale = await suite.PublishAsync(new SubscriptionBarringChanged(
            mobile.SubscriptionId, sale.AccountId, sale.UserId, false, [], "request", barredAt.AddMinutes(-1)));

        // Then the line stays barred once Customer has consumed the stale change
        await using var customerDb = await suite.OpenDatabaseAsync(MasStack.ServiceDefaults.ResourceNames.Customer);
        await Eventually.Until(
            () => Dapper.SqlMapper.ExecuteScalarAsync<long>(customerDb,
                "SELECT count(*) FROM inbox_messages WHERE consumer = 'subscription-barring-changed' AND message_id = @stale", new { stale }),
            count => count == 1, "Customer to consume the stale barring change");
        Assert.True((bool)Line((await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/users/{sale.UserId}/tree"))!, mobile.SubscriptionId)["barred"]!);
    }
}
