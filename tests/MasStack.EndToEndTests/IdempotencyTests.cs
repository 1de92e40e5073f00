using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests;

[Collection(SuiteCollection.Name)]
public class IdempotencyTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    private Task<HttpResponseMessage> PostSaleAsync(JsonObject sale, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/signups") { Content = JsonContent.Create(sale) };
        request.Headers.Add("Idempotency-Key", key);
        return _gateway.SendAsync(request);
    }

    [Fact]
    public async Task The_same_key_and_body_twice_make_one_sale_and_the_same_answer()
    {
        var sale = Sales.NewSale();
        var key = $"till-42-{Guid.NewGuid()}";

        var first = await PostSaleAsync(sale, key);
        var second = await PostSaleAsync(sale, key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        var (a, b) = (await first.Content.ReadFromJsonAsync<JsonObject>(), await second.Content.ReadFromJsonAsync<JsonObject>());
        Assert.True(JsonNode.DeepEquals(a, b), $"{a} != {b}");
        await using var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup);
        Assert.Equal(1, await signupDb.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM signups WHERE request->'customer'->>'documentNumber' = @dni",
            new { dni = (string)sale["customer"]!["documentNumber"]! }));
    }

    [Fact]
    public async Task Concurrent_repeats_of_one_key_make_one_sale()
    {
        var sale = Sales.NewSale();
        var key = $"till-42-{Guid.NewGuid()}";

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => PostSaleAsync(sale, key)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Single(responses.Select(r => r.Headers.Location).Distinct());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422()
    {
        var key = $"till-42-{Guid.NewGuid()}";
        var first = await PostSaleAsync(Sales.NewSale(), key);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        var second = await PostSaleAsync(Sales.NewSale(), key);

        await second.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task A_refused_request_does_not_use_up_its_key()
    {
        var key = $"till-42-{Guid.NewGuid()}";
        var broken = Sales.NewSale();
        broken["customer"]!["birthDate"] = DateTime.UtcNow.AddYears(-10).ToString("yyyy-MM-dd");

        await (await PostSaleAsync(broken, key)).AssertProblemAsync(HttpStatusCode.BadRequest, "customer.birthDate");
        var corrected = await PostSaleAsync(Sales.NewSale(), key);

        Assert.Equal(HttpStatusCode.Accepted, corrected.StatusCode);
    }

    private async Task<HttpResponseMessage> ReserveAsync(string number, string key, string query = "", string? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/msisdns/{number}/reservations{query}");
        request.Headers.Add("Idempotency-Key", key);
        if (client is not null) request.Headers.Add("X-Client-Id", client);
        return await _gateway.SendAsync(request);
    }

    [Fact]
    public async Task A_refusal_is_replayed_as_first_answered_and_changes_nothing_but_the_key_record()
    {
        // Given a number another till holds
        var number = Sales.NewMobile();
        await _gateway.ReserveAsync(number);
        var key = $"till-42-{Guid.NewGuid()}";

        // When a reservation of it is refused (409), and sent again with the same key
        var first = await ReserveAsync(number, key);
        var firstProblem = await first.AssertProblemAsync(HttpStatusCode.Conflict);
        var repeat = await ReserveAsync(number, key);

        // Then the repeat is the first answer replayed, not a second try: same status, same body (same traceId)
        var repeatProblem = await repeat.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.True(repeat.Headers.Contains("Idempotent-Replayed"), "The repeat says it is a replay.");
        Assert.True(JsonNode.DeepEquals(firstProblem, repeatProblem), $"{firstProblem} != {repeatProblem}");
        // And the key's record is all the refusal left
        await using var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup);
        Assert.Equal(409, await signupDb.ExecuteScalarAsync<int>("SELECT status_code FROM idempotency_keys WHERE idempotency_key = @key", new { key }));
    }

    [Fact]
    public async Task A_replay_carries_the_first_answers_location_and_etag()
    {
        // Given a user, and their shipping details' ETag
        var sale = await _gateway.SellAsync();
        var path = $"/api/v1/users/{sale.UserId}/expedition";
        var etag = (await _gateway.GetAsync(path)).Headers.ETag!.ToString();
        HttpRequestMessage Replace(string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, path)
            {
                Content = JsonContent.Create(new JsonObject
                {
                    ["address"] = new JsonObject { ["street"] = "Calle Luna 2", ["city"] = "Sevilla", ["postalCode"] = "41001", ["province"] = "Sevilla" },
                    ["contactName"] = "Ana Ruiz", ["contactPhone"] = "699 000 001",
                }),
            };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }
        var key = $"shop-{Guid.NewGuid()}";

        // When the details are replaced, and the same request is sent again (its If-Match now stale)
        var first = await _gateway.SendAsync(Replace(key));
        var repeat = await _gateway.SendAsync(Replace(key));

        // Then the repeat replays the first answer with its new ETag rather than failing the precondition
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.NotEqual(etag, first.Headers.ETag!.ToString());
        Assert.Equal(first.Headers.ETag, repeat.Headers.ETag);

        // And a created resource's replay carries its Location
        var number = Sales.NewMobile();
        var reservationKey = $"till-42-{Guid.NewGuid()}";
        var created = await ReserveAsync(number, reservationKey);
        var replayed = await ReserveAsync(number, reservationKey);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replayed.StatusCode);
        Assert.NotNull(created.Headers.Location);
        Assert.Equal(created.Headers.Location, replayed.Headers.Location);
    }

    [Fact]
    public async Task The_same_key_with_another_query_string_is_422()
    {
        var number = Sales.NewMobile();
        var key = $"till-42-{Guid.NewGuid()}";
        Assert.Equal(HttpStatusCode.Created, (await ReserveAsync(number, key, "?channel=store")).StatusCode);

        var other = await ReserveAsync(number, key, "?channel=online");

        await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Keys_are_scoped_by_the_calling_client()
    {
        // Given two clients that happen to use the same key for different sales
        var key = "sale-0001";
        var (saleOfA, saleOfB) = (Sales.NewSale(), Sales.NewSale());
        using var clientA = suite.CreateGatewayClient("till");
        using var clientB = suite.CreateGatewayClient("webshop");
        Task<HttpResponseMessage> Post(JsonObject sale, HttpClient client)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/signups") { Content = JsonContent.Create(sale) };
            request.Headers.Add("Idempotency-Key", key);
            return client.SendAsync(request);
        }

        // When each posts its own sale, then client A repeats its own
        var a = await Post(saleOfA, clientA);
        var b = await Post(saleOfB, clientB);
        var aAgain = await Post(saleOfA, clientA);

        // Then both sales were made, and only A's repeat was a replay
        Assert.Equal(HttpStatusCode.Accepted, a.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, b.StatusCode);
        Assert.NotEqual(a.Headers.Location, b.Headers.Location);
        Assert.Equal(HttpStatusCode.Accepted, aAgain.StatusCode);
        Assert.Equal(a.Headers.Location, aAgain.Headers.Location);
        Assert.True(aAgain.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_client_that_disconnects_while_its_sale_is_committed_gets_it_exactly_once_on_retry()
    {
        // Given a till that gives up on its request at various moments, the last ones around the commit
        var sale = Sales.NewSale();
        var key = $"till-42-{Guid.NewGuid()}";
        foreach (var giveUpAfter in new[] { 5, 20, 50, 100, 150, 200, 300 })
        {
            using var impatient = suite.CreateGatewayClient();
            impatient.Timeout = TimeSpan.FromMilliseconds(giveUpAfter);
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/signups") { Content = JsonContent.Create(sale) };
            request.Headers.Add("Idempotency-Key", key);
            try { await impatient.SendAsync(request); }
            catch (TaskCanceledException) { /* gave up */ }
        }

        // When it retries with the same key and waits for the answer
        var final = await PostSaleAsync(sale, key);

        // Then there is exactly one sale, it is the one answered, and it completes
        Assert.Equal(HttpStatusCode.Accepted, final.StatusCode);
        var accepted = (await final.Content.ReadFromJsonAsync<JsonObject>())!;
        await using var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup);
        Assert.Equal(1, await signupDb.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM signups WHERE request->'customer'->>'documentNumber' = @dni",
            new { dni = (string)sale["customer"]!["documentNumber"]! }));
        await Eventually.Until(
            () => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{(long)accepted["signupId"]!}")!,
            s => (string)s!["status"]! != "pending", "the sale to complete");
    }
}
