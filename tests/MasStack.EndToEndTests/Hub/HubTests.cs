using Dapper;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using MasStack.Contracts;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;
using MasStack.ServiceDefaults;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace MasStack.EndToEndTests.Hub;

[Collection(SuiteCollection.Name)]
public class HubTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task A_registration_gets_signed_deliveries_in_order_through_an_outage_and_only_its_owner_sees_it()
    {
        using var receiver = new HttpClient { BaseAddress = suite.App.GetEndpoint(ResourceNames.WebhookReceiver, "http") };
        var hook = "hub-" + Guid.NewGuid().ToString("N");
        var iccid = LineSetup.NewIccid();
        var sale = await _gateway.SellMobileWithSimAsync(iccid);
        var line = sale.Lines[1].SubscriptionId;
        await suite.ActivateAsync(line);

        // Given a registration for the barring changes of one line, at the receiver
        var callback = new Uri(receiver.BaseAddress!, $"/hooks/{hook}").ToString();
        var created = await (await _gateway.PostAsJsonAsync("/api/v1/hub",
            new { callback, query = $"eventType=SubscriptionBarringChangedEvent&subscriptionId={line}" })).ReadJsonAsync(HttpStatusCode.Created);
        var id = (string)created["id"]!;
        var secret = (string)created["secret"]!;
        Assert.StartsWith("whsec_", secret);
        Assert.Equal("active", (string)created["state"]!);
        var read = await _gateway.GetJsonAsync($"/api/v1/hub/{id}");
        Assert.Null(read["secret"]); // shown once

        // Then another client can neither read nor delete it
        using var care = suite.CreateGatewayClient("care");
        Assert.Equal(HttpStatusCode.NotFound, (await care.GetAsync($"/api/v1/hub/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await care.DeleteAsync($"/api/v1/hub/{id}")).StatusCode);

        // When the line's SIM is blocked, the callback receives the event, signed as Standard Webhooks verifies it
        await SimStatusAsync(line, "blocked", "lost");
        var first = (await DeliveriesAsync(receiver, hook, 1))[0];
        new StandardWebhook(secret).Verify(first.Body, new HeaderDictionary
        {
            ["webhook-id"] = first.Id, ["webhook-timestamp"] = first.Timestamp, ["webhook-signature"] = first.Signature,
        });
        var envelope = JsonNode.Parse(first.Body)!;
        Assert.Equal("SubscriptionBarringChangedEvent", (string)envelope["eventType"]!);
        Assert.Equal(first.Id, (string)envelope["eventId"]!);
        Assert.Equal(line, (long)envelope["event"]!["subscriptionId"]!);

        // When the receiver is down while two more changes happen, then up again
        await receiver.PutAsJsonAsync($"/hooks/{hook}/behaviour", new { status = 503 });
        await SimStatusAsync(line, "unblocked", null);
        await SimStatusAsync(line, "blocked", "fraud");
        await Eventually.Until(() => receiver.GetFromJsonAsync<Received>($"/hooks/{hook}")!, r => r!.Refused >= 2, "the hub to retry");
        await receiver.PutAsJsonAsync($"/hooks/{hook}/behaviour", new { status = 200 });

        // Then it gets each event once, in the order they happened
        var all = await DeliveriesAsync(receiver, hook, 3);
        Assert.Equal(all.Count, all.Select(d => d.Id).Distinct().Count());
        var versions = all.Select(d => (long)JsonNode.Parse(d.Body)!["event"]!["version"]!).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(["blocked", "unblocked", "blocked"], all.Select(d => (string?)JsonNode.Parse(d.Body)!["event"]!["simStatus"]).TakeLast(3));
        Assert.Equal("active", (string)(await _gateway.GetJsonAsync($"/api/v1/hub/{id}"))["state"]!);

        // And its owner deletes it
        Assert.Equal(HttpStatusCode.NoContent, (await _gateway.DeleteAsync($"/api/v1/hub/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.GetAsync($"/api/v1/hub/{id}")).StatusCode);
    }

    [Fact]
    public async Task An_event_no_registration_wants_is_consumed_without_a_delivery_and_its_redelivery_is_not_sent_to_a_later_registration()
    {
        using var receiver = new HttpClient { BaseAddress = suite.App.GetEndpoint(ResourceNames.WebhookReceiver, "http") };
        var hook = "hub-" + Guid.NewGuid().ToString("N");
        var callback = new Uri(receiver.BaseAddress!, $"/hooks/{hook}").ToString();
        var line = 9_000_000_000_000 + Random.Shared.NextInt64(1_000_000_000); // a line only this test's registrations name
        var warned = new ConsumptionLimitWarned(line, 1, 1, "2026-11", new Money(50), new Money(41), DateTimeOffset.UtcNow, Version: 1);
        await using var notificationsDb = await suite.OpenDatabaseAsync(ResourceNames.Notifications);
        Task<long> DeliveriesOfAsync(string registration) => notificationsDb.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM hub_deliveries WHERE registration_id = @registration::uuid", new { registration });
        Task<int> InboxDeliveriesAsync(Guid messageId) => notificationsDb.ExecuteScalarAsync<int>(
            "SELECT coalesce(max(deliveries), 0) FROM inbox_messages WHERE consumer = 'hub-consumption-limit-warned' AND message_id = @messageId", new { messageId });

        // Given a registration for the limit warnings of another line
        var other = (string)(await (await _gateway.PostAsJsonAsync("/api/v1/hub",
            new { callback, query = $"eventType=ConsumptionLimitWarningEvent&subscriptionId={line + 1}" })).ReadJsonAsync(HttpStatusCode.Created))["id"]!;

        // When Consumption warns about this line, which no registration wants
        var messageId = await suite.PublishAsync(warned);

        // Then the hub takes it as consumed, with nothing to deliver
        await Eventually.Until(() => InboxDeliveriesAsync(messageId), n => n == 1, "the hub to record the warning as consumed");
        Assert.Equal(0, await DeliveriesOfAsync(other));

        // When a registration for this line is made, and the broker delivers the same warning again
        var mine = (string)(await (await _gateway.PostAsJsonAsync("/api/v1/hub",
            new { callback, query = $"eventType=ConsumptionLimitWarningEvent&subscriptionId={line}" })).ReadJsonAsync(HttpStatusCode.Created))["id"]!;
        await suite.PublishAsync(warned, messageId: messageId);

        // Then the repeated delivery is counted and not sent: the warning happened before the registration
        await Eventually.Until(() => InboxDeliveriesAsync(messageId), n => n == 2, "the hub to count the repeated delivery");
        Assert.Equal(0, await DeliveriesOfAsync(mine));

        // And the line's next warning is sent to it
        await suite.PublishAsync(warned with { WarnedAt = DateTimeOffset.UtcNow, Version = 2 });
        var sent = (await DeliveriesAsync(receiver, hook, 1)).Single();
        Assert.Equal(line, (long)JsonNode.Parse(sent.Body)!["event"]!["subscriptionId"]!);
        Assert.Equal(2, (long)JsonNode.Parse(sent.Body)!["event"]!["version"]!);
        Assert.Equal(0, await DeliveriesOfAsync(other));
    }

    [Fact]
    public async Task Callbacks_to_private_addresses_or_without_https_and_unknown_queries_are_refused()
    {
        var receiverPort = suite.App.GetEndpoint(ResourceNames.WebhookReceiver, "http").Port;
        string[] refused =
        [
            $"http://127.0.0.1:{receiverPort + 1}/hooks/x", // loopback, other than the allow-listed receiver
            "https://127.0.0.1/hooks/x", "https://localhost/x", "https://10.1.2.3/x", "https://192.168.0.10/x",
            "https://169.254.169.254/latest/meta-data", "https://[::1]/x", "https://0.0.0.0/x",
            "http://example.com/hooks", // public, but not https
            "ftp://example.com/x", "not a url",
        ];
        foreach (var callback in refused)
            await (await _gateway.PostAsJsonAsync("/api/v1/hub", new { callback, query = "eventType=SimSwappedEvent" }))
                .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "callback");
        await (await _gateway.PostAsJsonAsync("/api/v1/hub", new { callback = "https://example.com/hooks", query = "eventType=NoSuchEvent" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "query");
        await (await _gateway.PostAsJsonAsync("/api/v1/hub", new { callback = "https://example.com/hooks", query = "msisdn=34600000000" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "query");
        await (await _gateway.PostAsJsonAsync("/api/v1/hub", new { callback = "https://example.com/hooks", query = "", secret = "plain" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "secret");
    }

    [Fact]
    public async Task A_slow_callback_does_not_hold_back_another_and_one_that_keeps_failing_is_suspended_with_why()
    {
        using var receiver = new HttpClient { BaseAddress = suite.App.GetEndpoint(ResourceNames.WebhookReceiver, "http") };
        var sale = await _gateway.SellMobileWithSimAsync(LineSetup.NewIccid());
        var line = sale.Lines[1].SubscriptionId;
        await suite.ActivateAsync(line);

        // Given three registrations for the same line's barring changes: one that answers, one that hangs, one that is down
        var (well, slow, down) = ("hub-" + Guid.NewGuid().ToString("N"), "hub-" + Guid.NewGuid().ToString("N"), "hub-" + Guid.NewGuid().ToString("N"));
        await receiver.PutAsJsonAsync($"/hooks/{slow}/behaviour", new { hangMs = 120_000 });
        await receiver.PutAsJsonAsync($"/hooks/{down}/behaviour", new { status = 500 });
        var ids = new Dictionary<string, string>();
        foreach (var hook in new[] { well, slow, down })
            ids[hook] = (string)(await (await _gateway.PostAsJsonAsync("/api/v1/hub", new
            {
                callback = new Uri(receiver.BaseAddress!, $"/hooks/{hook}").ToString(),
                query = $"eventType=SubscriptionBarringChangedEvent&subscriptionId={line}",
            })).ReadJsonAsync(HttpStatusCode.Created))["id"]!;

        // When the line's SIM is blocked
        await SimStatusAsync(line, "blocked", "lost");

        // Then the callback that answers gets it while the slow one still holds its request open
        await DeliveriesAsync(receiver, well, 1);
        Assert.Equal(1, (await receiver.GetFromJsonAsync<Received>($"/hooks/{slow}"))!.Holding);

        // And the one that keeps failing is suspended once the retry schedule is used up, saying why; the others stay active
        var suspended = await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/hub/{ids[down]}"),
            r => (string?)r["state"] == "suspended", "the failing registration to be suspended", TimeSpan.FromSeconds(90));
        Assert.Contains("answered 500", (string)suspended["suspendedReason"]!);
        Assert.NotNull(suspended["suspendedAt"]);
        Assert.Equal("active", (string)(await _gateway.GetJsonAsync($"/api/v1/hub/{ids[well]}"))["state"]!);

        // And the slow one, once it answers in time, gets the event after all (its timed-out attempt was retried)
        await receiver.PutAsJsonAsync($"/hooks/{slow}/behaviour", new { status = 200 });
        var late = await DeliveriesAsync(receiver, slow, 1);
        Assert.Equal((await DeliveriesAsync(receiver, well, 1))[0].Id, late[0].Id);
        foreach (var id in ids.Values) await _gateway.DeleteAsync($"/api/v1/hub/{id}");
    }

    private async Task SimStatusAsync(long line, string status, string? reason)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/subscriptions/{line}/sim-status") { Content = JsonContent.Create(new { status, reason }) };
        request.Headers.Add("X-Reason", "Hub test");
        (await _gateway.SendAsync(request)).EnsureSuccessStatusCode();
    }

    private static async Task<IReadOnlyList<Delivery>> DeliveriesAsync(HttpClient receiver, string hook, int count) =>
        (await Eventually.Until(() => receiver.GetFromJsonAsync<Received>($"/hooks/{hook}")!, r => r!.Deliveries.Count >= count,
            $"{count} deliveries", TimeSpan.FromSeconds(60)))!.Deliveries;

    private sealed record Delivery(string Id, string Timestamp, string Signature, string Body, DateTimeOffset ReceivedAt);
    private sealed record Received(IReadOnlyList<Delivery> Deliveries, int Refused, int Holding);
}
