using System.Net.Http.Headers;
using System.Text;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests;

[Collection(SuiteCollection.Name)]
public class BadInputTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    private Task<HttpResponseMessage> PostRawAsync(string path, string body, string mediaType = "application/json") =>
        _gateway.PostAsync(path, new StringContent(body, Encoding.UTF8, mediaType));

    [Fact]
    public async Task Broken_json_is_400_naming_the_body()
    {
        var response = await PostRawAsync("/api/v1/signups", """{"channel": "store", "customer": {""");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_400_naming_the_field()
    {
        var response = await PostRawAsync("/api/v1/signups", """{"channel": "shop"}""");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "channel");
    }

    [Fact]
    public async Task Missing_and_malformed_fields_are_400_naming_each_and_nothing_is_stored()
    {
        var sale = Sales.NewSale();
        sale["customer"]!.AsObject().Remove("email");
        sale["customer"]!["documentNumber"] = "12345678A";
        sale["lines"]![1]!["number"] = "806123456";
        await using var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup);
        var before = await signupDb.ExecuteScalarAsync<long>("SELECT count(*) FROM signups");

        var response = await _gateway.PostAsJsonAsync("/api/v1/signups", sale);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "customer.email", "customer.documentNumber", "lines[1].number");
        Assert.Equal(before, await signupDb.ExecuteScalarAsync<long>("SELECT count(*) FROM signups"));
        Assert.Equal(0, await signupDb.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE body::text LIKE '%12345678A%'"));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        var response = await PostRawAsync("/api/v1/signups", "channel=store", "application/x-www-form-urlencoded");

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task An_unknown_user_is_404()
    {
        var response = await _gateway.GetAsync("/api/v1/users/4242/tree");

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_unknown_signup_is_404() =>
        await (await _gateway.GetAsync("/api/v1/signups/4242")).AssertProblemAsync(HttpStatusCode.NotFound);

    [Theory]
    [InlineData("")]
    [InlineData("?email=a@example.com&documentNumber=12345678Z")]
    public async Task The_tree_needs_exactly_one_key(string query) =>
        await (await _gateway.GetAsync($"/api/v1/customer-tree{query}")).AssertProblemAsync(HttpStatusCode.BadRequest, "query");

    [Fact]
    public async Task A_malformed_msisdn_is_400_naming_it() =>
        await (await _gateway.GetAsync("/api/v1/customer-tree?msisdn=12345")).AssertProblemAsync(HttpStatusCode.BadRequest, "msisdn");

    [Fact]
    public async Task A_path_no_service_serves_is_a_404_problem() =>
        await (await _gateway.GetAsync("/api/v1/no-such-thing")).AssertProblemAsync(HttpStatusCode.NotFound);

    [Fact]
    public async Task The_correlator_is_echoed_and_every_answer_carries_its_trace()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users/4242/tree");
        request.Headers.Add("x-correlator", "till-42:sale/0001");

        var response = await _gateway.SendAsync(request);

        Assert.Equal("till-42:sale/0001", Assert.Single(response.Headers.GetValues("x-correlator")));
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", Assert.Single(response.Headers.GetValues("traceparent")));
    }

    [Fact]
    public async Task A_malformed_correlator_is_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users/4242/tree");
        request.Headers.TryAddWithoutValidation("x-correlator", "has spaces in it");

        await (await _gateway.SendAsync(request)).AssertProblemAsync(HttpStatusCode.BadRequest, "x-correlator");
    }
}
