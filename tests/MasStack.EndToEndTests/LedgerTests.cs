using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit.Abstractions;

namespace MasStack.EndToEndTests;

/// <summary>
/// "Nothing lost" as architecture.md defines it, proved with a client-side ledger while every service runs as
/// <see cref="SuiteFixture.Replicas"/> instances competing for the same queues and outbox rows.
/// </summary>
[Collection(SuiteCollection.Name)]
public class LedgerTests(SuiteFixture suite, ITestOutputHelper output)
{
    private int _deferred;

    private const int ConcurrentSales = 200;
    private static readonly TimeSpan Quiet = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Two_hundred_concurrent_sales_under_two_replicas_each_exist_once_and_every_event_is_applied_once_by_every_subscriber()
    {
        DateTime since;
        await using (var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup))
            since = await signupDb.ExecuteScalarAsync<DateTime>("SELECT now()");

        // Given 200 sales posted at once, each recorded in the ledger when it is accepted. Like a till, a client whose sale
        // is answered 503 (a burst larger than the connection pools) sends it again with the same Idempotency-Key after
        // the Retry-After it was given, so a sale is taken once however often it is sent.
        var ledger = await Task.WhenAll(Enumerable.Range(0, ConcurrentSales).Select(async _ =>
        {
            var sale = Sales.NewSale();
            var key = Guid.NewGuid().ToString();
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/signups") { Content = JsonContent.Create(sale) };
                request.Headers.Add("Idempotency-Key", key);
                using var response = await suite.Gateway.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter?.Delta is { } retryAfter)
                {
                    Interlocked.Increment(ref _deferred);
                    await Task.Delay(retryAfter); // as the answer asked
                    continue;
                }
                Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"A sale was refused: {(int)response.StatusCode} {body}");
                return JsonNode.Parse(body)!.AsObject();
            }
        }));
        output.WriteLine($"{ConcurrentSales} sales accepted; {_deferred} answers were 503 with Retry-After and sent again.");

        // When every sale has finished
        foreach (var accepted in ledger)
        {
            var signup = await Eventually.Until(
                () => suite.Gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{(long)accepted["signupId"]!}")!,
                s => (string)s!["status"]! != "pending", "the signup to finish", Quiet);
            Assert.Equal("completed", (string)signup!["status"]!);
        }

        // Then every id of the ledger exists exactly once in its owner's database
        await AssertEachOnceAsync(ResourceNames.Signup, "signups", ledger.Select(a => (long)a["signupId"]!));
        await AssertEachOnceAsync(ResourceNames.Customer, "users", ledger.Select(a => (long)a["userId"]!));
        await AssertEachOnceAsync(ResourceNames.Account, "accounts", ledger.Select(a => (long)a["accountId"]!));
        await AssertEachOnceAsync(ResourceNames.Subscription, "subscriptions",
            ledger.SelectMany(a => a["subscriptions"]!.AsArray().Select(s => (long)s!["subscriptionId"]!)));

        // And every outbox has drained
        foreach (var service in ResourceNames.Services)
        {
            await using var db = await suite.OpenDatabaseAsync(service);
            await Eventually.Until(() => db.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE published_at IS NULL"),
                pending => pending == 0, $"{service}'s outbox to drain", Quiet);
        }

        // And every event of this run was applied by every consumer of its type, each once (the inbox's key is
        // consumer and message id, so a second application would have been a second row refused)
        var published = await PublishedSinceAsync(since);
        Assert.True(published.Count >= ConcurrentSales, $"Only {published.Count} events were published for {ConcurrentSales} sales.");
        var applied = await Eventually.Until(() => AppliedAsync(published.Keys), rows => Missing(published, rows).Count == 0,
            "every subscriber to apply every event", Quiet);
        Assert.Empty(Missing(published, applied));

        // And no message of this run waits in an error queue
        var parked = await ParkedAsync(applied.Select(a => (a.Service, a.Consumer)).Distinct(), published.Keys.ToHashSet());
        Assert.True(parked.Count == 0, $"Parked: {string.Join(", ", parked)}");
    }

    private async Task AssertEachOnceAsync(string service, string table, IEnumerable<long> ids)
    {
        var expected = ids.ToArray();
        Assert.Equal(expected.Length, expected.Distinct().Count());
        await using var db = await suite.OpenDatabaseAsync(service);
        var found = (await db.QueryAsync<(long Id, long Copies)>(
            $"SELECT id, count(*) FROM {table} WHERE id = ANY(@expected) GROUP BY id", new { expected })).ToList();
        Assert.Equal(expected.Length, found.Count);
        Assert.All(found, row => Assert.Equal(1, row.Copies));
    }

    /// <summary>Every event any service's outbox took since <paramref name="since"/>: message id to type.</summary>
    private async Task<Dictionary<Guid, string>> PublishedSinceAsync(DateTime since)
    {
        var published = new Dictionary<Guid, string>();
        foreach (var service in ResourceNames.Services)
        {
            await using var db = await suite.OpenDatabaseAsync(service);
            foreach (var (id, type) in await db.QueryAsync<(Guid, string)>(
                "SELECT message_id, message_type FROM outbox_messages WHERE created_at >= @since", new { since }))
                published.Add(id, type);
        }
        return published;
    }

    private async Task<List<Applied>> AppliedAsync(IEnumerable<Guid> messages)
    {
        var ids = messages.ToArray();
        var applied = new List<Applied>();
        foreach (var service in ResourceNames.Services)
        {
            await using var db = await suite.OpenDatabaseAsync(service);
            applied.AddRange((await db.QueryAsync<(string Consumer, Guid MessageId)>(
                "SELECT consumer, message_id FROM inbox_messages WHERE message_id = ANY(@ids)", new { ids }))
                .Select(row => new Applied(service, row.Consumer, row.MessageId)));
        }
        return applied;
    }

    /// <summary>
    /// The events some consumer of their type has not applied: the consumers of a type are those that applied any
    /// event of it in this run (200 sales raise each type many times, so a consumer that missed one is still seen).
    /// </summary>
    private static List<string> Missing(Dictionary<Guid, string> published, List<Applied> applied)
    {
        var subscribers = applied.GroupBy(a => published[a.MessageId])
            .ToDictionary(g => g.Key, g => g.Select(a => (a.Service, a.Consumer)).Distinct().ToList());
        var seen = applied.Select(a => (a.Service, a.Consumer, a.MessageId)).ToHashSet();
        return [.. published
            .SelectMany(m => subscribers.GetValueOrDefault(m.Value, []).Where(s => !seen.Contains((s.Service, s.Consumer, m.Key)))
                .Select(s => $"{m.Value} {m.Key} at {s.Service}/{s.Consumer}"))];
    }

    /// <summary>
    /// Messages of this run in the consumers' error queues (<c>{service}-{consumer name}_error</c>), read without
    /// taking them: unacknowledged messages go back to their queue when the channel closes.
    /// </summary>
    private async Task<List<string>> ParkedAsync(IEnumerable<(string Service, string Consumer)> consumers, HashSet<Guid> ofThisRun)
    {
        var parked = new List<string>();
        await using var broker = await new ConnectionFactory { Uri = new Uri(await suite.RabbitMqConnectionStringAsync()) }.CreateConnectionAsync();
        foreach (var (service, consumer) in consumers)
        {
            var queue = $"{service}-{consumer}_error";
            await using var channel = await broker.CreateChannelAsync();
            uint count;
            try { count = (await channel.QueueDeclarePassiveAsync(queue)).MessageCount; }
            catch (OperationInterruptedException) { continue; } // no such queue: nothing was ever parked there
            for (var i = 0; i < count && await channel.BasicGetAsync(queue, autoAck: false) is { } message; i++)
                if (Guid.TryParse(message.BasicProperties.MessageId, out var id) && ofThisRun.Contains(id))
                    parked.Add($"{queue}: {id}");
        }
        return parked;
    }

    private sealed record Applied(string Service, string Consumer, Guid MessageId);
}
