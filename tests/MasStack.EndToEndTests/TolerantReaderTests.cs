using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests;

/// <summary>Contracts grow by addition: an event from a newer producer, with values and fields an older consumer does not know, is still consumed.</summary>
[Collection(SuiteCollection.Name)]
public class TolerantReaderTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task An_event_with_an_unknown_enumeration_value_and_an_unknown_field_is_consumed_not_parked()
    {
        // Given a sold line that nothing moves on by itself (the mobile line waits for its SIM; the fibre is installed), as its user's tree shows it
        var sale = await _gateway.SellAsync();
        var line = sale.Lines.Single(l => l.Type == "mobile");
        var treeBefore = await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/users/{sale.UserId}/tree");

        // When a newer Subscription publishes a status change to a status this suite does not have, with a field it does not know
        var messageId = await suite.PublishRawAsync("SubscriptionStatusChanged", new JsonObject
        {
            ["subscriptionId"] = line.SubscriptionId,
            ["accountId"] = sale.AccountId,
            ["userId"] = sale.UserId,
            ["from"] = "active",
            ["to"] = "suspended-for-fraud",
            ["reason"] = "fraud-case",
            ["changedAt"] = DateTimeOffset.UtcNow.ToString("O"),
            ["fraudCaseId"] = 4242,
        });

        // Then every subscriber consumes it (its inbox records it: it was not poison), and none parks it
        foreach (var (service, consumer) in new[] { (ResourceNames.Customer, "subscription-status-changed"), (ResourceNames.Account, "subscription-status-changed"), (ResourceNames.Signup, "line-cancelled"), (ResourceNames.Signup, "line-ended") })
        {
            await using var db = await suite.OpenDatabaseAsync(service);
            await Eventually.Until(
                () => db.ExecuteScalarAsync<long>("SELECT count(*) FROM inbox_messages WHERE consumer = @consumer AND message_id = @messageId", new { consumer, messageId }),
                count => count == 1, $"{service}'s {consumer} to consume the event");
            var parked = await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/operations/{service}/parked-messages");
            Assert.DoesNotContain(parked!["queues"]!.AsArray().SelectMany(q => q!["messages"]!.AsArray()), m => (string?)m!["messageId"] == messageId.ToString());
        }

        // And the tree still answers, showing what it knew of the line
        var treeAfter = await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/users/{sale.UserId}/tree");
        Assert.Equal(StatusOf(treeBefore!, line.SubscriptionId), StatusOf(treeAfter!, line.SubscriptionId));
    }

    private static string? StatusOf(JsonObject tree, long subscriptionId) =>
        (string?)tree["accounts"]!.AsArray().SelectMany(a => a!["subscriptions"]!.AsArray()).Single(l => (long)l!["subscriptionId"]! == subscriptionId)!["status"];
}
