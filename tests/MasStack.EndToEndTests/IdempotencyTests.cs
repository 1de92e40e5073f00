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
}
