using System.Text.Json.Nodes;
using Dapper;
using MasStack.Contracts;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests;

[Collection(SuiteCollection.Name)]
public class ReliabilityTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;
    private static readonly string[] SliceServices = [ResourceNames.Signup, ResourceNames.Customer, ResourceNames.Account, ResourceNames.Subscription];

    [Fact]
    public async Task A_sale_taken_while_the_broker_is_down_completes_when_it_is_back_and_nothing_is_lost()
    {
        // Given RabbitMQ is down
        await suite.StopResourceAsync(ResourceNames.RabbitMq);

        // When sales are posted, they are still accepted: the events wait in Signup's outbox
        var ledger = new List<JsonObject>();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            var response = await _gateway.PostAsJsonAsync("/api/v1/signups", Sales.NewSale());
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ledger.Add((await response.Content.ReadFromJsonAsync<JsonObject>())!);
        }
        await using (var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup))
            Assert.True(await signupDb.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE published_at IS NULL") >= ledger.Count);

        // And once RabbitMQ is back, every sale completes
        await suite.StartResourceAsync(ResourceNames.RabbitMq);
        foreach (var accepted in ledger)
        {
            var signup = await Eventually.Until(
                () => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{(long)accepted["signupId"]!}")!,
                s => (string)s!["status"]! != "pending", "the signup to complete after the outage", TimeSpan.FromSeconds(90));
            Assert.Equal("completed", (string)signup!["status"]!);
        }

        // Then each accepted id exists exactly once in its owner's database, and every outbox has drained
        await using var customerDb = await suite.OpenDatabaseAsync(ResourceNames.Customer);
        await using var accountDb = await suite.OpenDatabaseAsync(ResourceNames.Account);
        await using var subscriptionDb = await suite.OpenDatabaseAsync(ResourceNames.Subscription);
        foreach (var accepted in ledger)
        {
            Assert.Equal(1, await customerDb.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE id = @id", new { id = (long)accepted["userId"]! }));
            Assert.Equal(1, await accountDb.ExecuteScalarAsync<long>("SELECT count(*) FROM accounts WHERE id = @id", new { id = (long)accepted["accountId"]! }));
            var lineIds = accepted["subscriptions"]!.AsArray().Select(s => (long)s!["subscriptionId"]!).ToArray();
            Assert.Equal(lineIds.Length, await subscriptionDb.ExecuteScalarAsync<long>("SELECT count(*) FROM subscriptions WHERE id = ANY(@lineIds)", new { lineIds }));
        }
        foreach (var service in SliceServices)
        {
            await using var db = await suite.OpenDatabaseAsync(service);
            await Eventually.Until(
                () => db.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE published_at IS NULL AND created_at < now() - interval '5 seconds'"),
                stale => stale == 0, $"{service}'s outbox to drain");
        }
    }

    [Fact]
    public async Task An_event_committed_by_an_instance_that_died_before_publishing_it_is_published_once_its_lease_runs_out()
    {
        // Given a sale's completion event, and a copy of its outbox row as an instance leaves it when it dies between its
        // commit and its publish: not published, its lease to that instance run out
        var sale = await _gateway.SellAsync();
        await using var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup);
        var orphan = Guid.CreateVersion7();
        await signupDb.ExecuteAsync(
            """
            INSERT INTO outbox_messages (message_id, message_type, body, headers, next_attempt_at)
            SELECT @orphan, message_type, body, headers, now() - interval '1 second' FROM outbox_messages
            WHERE message_type LIKE '%.SignupCompleted' AND (body->>'signupId')::bigint = @SignupId
            """, new { orphan, sale.SignupId });

        // Then a relay's poll publishes it (no commit woke any relay for it), once
        var attempts = await Eventually.Until(
            () => signupDb.QuerySingleAsync<int?>("SELECT CASE WHEN published_at IS NOT NULL THEN attempts END FROM outbox_messages WHERE message_id = @orphan", new { orphan }),
            published => published is not null, "the orphaned row to be published", TimeSpan.FromSeconds(30));
        Assert.Equal(1, attempts);

        // And its subscriber received it
        await using var subscriptionDb = await suite.OpenDatabaseAsync(ResourceNames.Subscription);
        await Eventually.Until(
            () => subscriptionDb.ExecuteScalarAsync<long>("SELECT count(*) FROM inbox_messages WHERE message_id = @orphan", new { orphan }),
            received => received == 1, "Subscription to receive the orphaned event");
    }

    [Fact]
    public async Task The_same_event_delivered_twice_has_one_effect()
    {
        // Given a SignupSubmitted event, as Signup's relay would publish it
        var submitted = new SignupSubmitted(
            SignupId: 900_000_001, UserId: Random.Shared.NextInt64(1L << 40, 1L << 50), AccountId: Random.Shared.NextInt64(1L << 40, 1L << 50),
            SalesChannel.Online, PaymentType.Prepaid, "MOBILE-ONLY",
            new SignupCustomer("dni", Sales.NewDni(), "Ana", "Ruiz", $"ana.{Guid.NewGuid():N}@example.com", "+34612345678",
                new DateOnly(1985, 1, 2), new PostalAddress("Calle Luna 2", "Sevilla", "41001", "Sevilla", "ES"), null),
            [new SignupLine(Random.Shared.NextInt64(1L << 40, 1L << 50), SubscriptionType.Mobile, "MOBILE-10GB", NumberMode.New, "+34" + Sales.NewMobile(), null)],
            DateTimeOffset.UtcNow);
        // When the broker delivers it twice (same message id)
        var messageId = await suite.PublishAsync(submitted, times: 2);

        // Then each consumer saw both deliveries, but applied only the first
        foreach (var service in new[] { ResourceNames.Customer, ResourceNames.Account, ResourceNames.Subscription })
        {
            await using var db = await suite.OpenDatabaseAsync(service);
            await Eventually.Until(
                () => db.ExecuteScalarAsync<int?>(
                    "SELECT deliveries FROM inbox_messages WHERE consumer = 'signup-submitted' AND message_id = @messageId", new { messageId }),
                deliveries => deliveries == 2, $"{service} to receive both deliveries");
        }
        await using var customerDb = await suite.OpenDatabaseAsync(ResourceNames.Customer);
        Assert.Equal(1, await customerDb.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE id = @UserId", new { submitted.UserId }));
        Assert.Equal(1, await customerDb.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%UserRegistered' AND (body->>'userId')::bigint = @UserId", new { submitted.UserId }));
        await using var accountDb = await suite.OpenDatabaseAsync(ResourceNames.Account);
        Assert.Equal(1, await accountDb.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%AccountOpened' AND (body->>'accountId')::bigint = @AccountId", new { submitted.AccountId }));
        await using var subscriptionDb = await suite.OpenDatabaseAsync(ResourceNames.Subscription);
        Assert.Equal(1, await subscriptionDb.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%SubscriptionCreated' AND (body->>'accountId')::bigint = @AccountId", new { submitted.AccountId }));
    }

    [Fact]
    public async Task A_message_that_keeps_failing_is_parked_in_the_error_queue_after_its_redeliveries()
    {
        // Given an event no consumer can apply (a sale without a customer)
        var poison = new SignupSubmitted(900_000_002, 1, 2, SalesChannel.Store, PaymentType.Postpaid, "FIBER-MOBILE", null!, [], DateTimeOffset.UtcNow);
        var rabbitMq = new Uri(await suite.RabbitMqConnectionStringAsync());
        await using var broker = await new RabbitMQ.Client.ConnectionFactory { Uri = rabbitMq }.CreateConnectionAsync();
        await using var channel = await broker.CreateChannelAsync();
        const string errorQueue = "customer-signup-submitted_error";
        async Task<uint> Parked() => (await channel.QueueDeclareAsync(errorQueue, durable: true, exclusive: false, autoDelete: false)).MessageCount;
        var before = await Parked();

        // When it is published
        var messageId = await suite.PublishAsync(poison);

        // Then, after its retries and delayed redeliveries, it waits in the consumer's error queue for an operator, and none of its tries
        // left anything behind (each rolled back, so a replay from the error queue will be applied once)
        await Eventually.Until(Parked, count => count == before + 1, "the poison message to reach the error queue", TimeSpan.FromMinutes(3));
        await using var customerDb = await suite.OpenDatabaseAsync(ResourceNames.Customer);
        Assert.Equal(0, await customerDb.ExecuteScalarAsync<long>("SELECT count(*) FROM inbox_messages WHERE message_id = @messageId", new { messageId }));
    }

    [Fact]
    public async Task A_service_that_is_down_is_a_quick_503_at_the_gateway_in_the_API_s_own_error_format()
    {
        await suite.StopResourceAsync(ResourceNames.Subscription);
        try
        {
            var response = await _gateway.GetAsync("/api/v1/subscriptions/4242");

            var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.True(response.Headers.RetryAfter is not null, "A 503 says when to retry.");
            Assert.Contains("subscription", (string)problem["detail"]!);

            // A partner on CAMARA SIM Swap reads the same outage in CAMARA's error body, as its generated client expects
            var camara = await suite.CreateGatewayClient("partner").PostAsJsonAsync("/sim-swap/v2/check", new { phoneNumber = "+34600000000" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, camara.StatusCode);
            Assert.True(camara.Headers.RetryAfter is not null, "A 503 says when to retry.");
            var error = (await camara.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(503, (int)error["status"]!);
            Assert.Equal("UNAVAILABLE", (string)error["code"]!);
            Assert.Contains("subscription", (string)error["message"]!);
        }
        finally
        {
            await suite.StartResourceAsync(ResourceNames.Subscription);
        }
    }
}
