using Aspire.Hosting.Testing;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Dapper;
using MasStack.Contracts;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests;

/// <summary>
/// A failing message is redelivered with growing delays (under test <see cref="SuiteFixture.RedeliveryDelays"/>) before it
/// is parked, so an outage shorter than that window loses and fails nothing; a parked one can be listed and replayed.
/// </summary>
[Collection(SuiteCollection.Name)]
public class RedeliveryTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;
    /// <summary>The services that confirm a sale's steps: Signup still takes sales while their databases are away.</summary>
    private static readonly string[] ConfirmingServices = [ResourceNames.Customer, ResourceNames.Account, ResourceNames.Subscription];
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Fifty_sales_complete_through_a_30_second_database_outage_and_nothing_is_parked()
    {
        var parkedBefore = await ParkedCountsAsync();

        // Given 25 sales accepted, their events on their way between the services
        var accepted = new List<long>(await PostSalesAsync(25));

        // When the databases of the services that confirm a sale's steps refuse them for 30 s, while 25 more sales come in
        var outage = Stopwatch.StartNew();
        await suite.SetDatabasesReachableAsync(false, ConfirmingServices);
        try
        {
            accepted.AddRange(await PostSalesAsync(25));
            // (the consumers fail meanwhile: their messages wait in the delay queues instead of the error queues)
            await Eventually.Until(DelayedMessagesAsync, waiting => waiting > 0, "a failed message to wait for its delayed redelivery", Outage);
            if (outage.Elapsed < Outage) await Task.Delay(Outage - outage.Elapsed); // holding the outage, not waiting on a condition
        }
        finally
        {
            await suite.SetDatabasesReachableAsync(true, ConfirmingServices);
        }

        // Then every sale completes, none failed
        foreach (var signupId in accepted)
        {
            var status = await Eventually.Until(() => StatusAsync(signupId), s => s is not (null or "pending"),
                $"signup {signupId} to leave pending after the outage", TimeSpan.FromMinutes(3));
            Assert.True(status == "completed", $"Signup {signupId} ended {status}.");
        }
        // And no message was parked (those of other tests were there before)
        Assert.Equal(parkedBefore, await ParkedCountsAsync());
    }

    [Fact]
    public async Task A_parked_message_is_listed_and_replayed_once_its_cause_is_fixed()
    {
        // Given Customer cannot store one user (a fault the operator will fix)
        var userId = Random.Shared.NextInt64(1L << 40, 1L << 50);
        var trigger = $"refuse_user_{userId}";
        await using var customerDb = await suite.OpenDatabaseAsync(ResourceNames.Customer);
        await customerDb.ExecuteAsync(
            $"""
            CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'user {userId} refused by the test'; END $$;
            CREATE TRIGGER {trigger} BEFORE INSERT ON users FOR EACH ROW WHEN (NEW.id = {userId}) EXECUTE FUNCTION {trigger}();
            """);
        try
        {
            // When a sale's event for that user arrives, it fails at every delivery
            var messageId = (await suite.PublishAsync(SaleFor(userId))).ToString();

            // Then, after its redeliveries, it is listed as parked in Customer's queue for it, with the reason
            const string queue = "customer-signup-submitted";
            var parked = await Eventually.Until(() => ParkedAsync(ResourceNames.Customer, queue),
                messages => messages.Any(m => (string?)m!["messageId"] == messageId), "the message to be parked", TimeSpan.FromMinutes(3));
            var message = parked.Single(m => (string?)m!["messageId"] == messageId)!;
            Assert.Equal("SignupSubmitted", (string?)message["messageType"]);
            Assert.Contains($"user {userId} refused by the test", (string?)message["reason"]);
            Assert.Equal(SuiteFixture.RedeliveryDelays.Length, (int)message["redeliveries"]!);
            Assert.Equal(0, await customerDb.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE id = @userId", new { userId }));

            // And the dashboard's command lists the service's parked messages
            var listed = await suite.App.ResourceCommands.ExecuteCommandAsync(ResourceNames.Customer, "list-parked-messages");
            Assert.True(listed.Success, listed.Message);

            // When the operator fixes the cause and replays it
            await customerDb.ExecuteAsync($"DROP TRIGGER {trigger} ON users; DROP FUNCTION {trigger}();");
            var replay = await _gateway.PostAsJsonAsync($"/api/v1/operations/customer/parked-messages/replay", new { queue, messageIds = new[] { messageId } });
            var replayed = JsonNode.Parse(await replay.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            Assert.Equal(1, (int)replayed["replayed"]!);

            // Then it is applied once, and no longer parked
            await Eventually.Until(() => customerDb.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE id = @userId", new { userId }),
                count => count == 1, "the replayed sale's user to be registered");
            Assert.DoesNotContain(await ParkedAsync(ResourceNames.Customer, queue), m => (string?)m!["messageId"] == messageId);
        }
        finally
        {
            await customerDb.ExecuteAsync($"DROP TRIGGER IF EXISTS {trigger} ON users; DROP FUNCTION IF EXISTS {trigger}();");
        }
    }

    [Fact]
    public async Task Replaying_a_queue_the_service_does_not_have_is_a_400_naming_the_queue()
    {
        var response = await _gateway.PostAsJsonAsync("/api/v1/operations/customer/parked-messages/replay", new { queue = "account-signup-submitted" });
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "queue");
    }

    private async Task<long[]> PostSalesAsync(int count) => await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
    {
        var response = await _gateway.PostAsJsonAsync("/api/v1/signups", Sales.NewSale());
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"A sale was refused: {body}");
        return (long)JsonNode.Parse(body)!["signupId"]!;
    }));

    private static SignupSubmitted SaleFor(long userId) => new(
        SignupId: Random.Shared.NextInt64(1L << 40, 1L << 50), UserId: userId, AccountId: Random.Shared.NextInt64(1L << 40, 1L << 50),
        SalesChannel.Online, PaymentType.Prepaid, "MOBILE-ONLY",
        new SignupCustomer("dni", Sales.NewDni(), "Ana", "Ruiz", $"ana.{Guid.NewGuid():N}@example.com", "+34612345678",
            new DateOnly(1985, 1, 2), new PostalAddress("Calle Luna 2", "Sevilla", "41001", "Sevilla", "ES"), null),
        [new SignupLine(Random.Shared.NextInt64(1L << 40, 1L << 50), SubscriptionType.Mobile, "MOBILE-10GB", NumberMode.New, "+34" + Sales.NewMobile(), null)],
        DateTimeOffset.UtcNow);

    /// <summary>The sale's status, or null while the answer is not one (a service still reconnecting after the outage).</summary>
    private async Task<string?> StatusAsync(long signupId)
    {
        try
        {
            var response = await _gateway.GetAsync($"/api/v1/signups/{signupId}");
            return response.IsSuccessStatusCode ? (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"] : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private async Task<uint> DelayedMessagesAsync()
    {
        uint waiting = 0;
        foreach (var delay in SuiteFixture.RedeliveryDelays)
            waiting += await suite.DepthAsync($"masstack-redelivery-{(long)delay.TotalMilliseconds}ms");
        return waiting;
    }

    private async Task<JsonArray> ParkedAsync(string service, string queue)
    {
        var view = await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/operations/{service}/parked-messages?queue={queue}");
        return view!["queues"]!.AsArray().Single()!["messages"]!.AsArray();
    }

    /// <summary>Every parked message of the slice's services, counted per queue.</summary>
    private async Task<Dictionary<string, long>> ParkedCountsAsync()
    {
        var counts = new Dictionary<string, long>();
        foreach (var service in ConfirmingServices.Prepend(ResourceNames.Signup))
        {
            var view = await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/operations/{service}/parked-messages?limit=0");
            foreach (var queue in view!["queues"]!.AsArray())
                counts[(string)queue!["queue"]!] = (long)queue["count"]!;
        }
        return counts;
    }
}
