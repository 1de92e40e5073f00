using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;

namespace MasStack.EndToEndTests.Subscriptions;

/// <summary>CAMARA SIM Swap v2.1.0 as a partner calls it: its paths, bodies, error body and <c>x-correlator</c>.</summary>
[Collection(SuiteCollection.Name)]
public class CamaraSimSwapTests(SuiteFixture suite)
{
    private readonly HttpClient _partner = suite.CreateGatewayClient("partner");

    private Task<(HttpStatusCode Status, JsonObject Body, string? Correlator)> CallAsync(string operation, object body) =>
        CallAsync(_partner, operation, body);

    private static async Task<(HttpStatusCode Status, JsonObject Body, string? Correlator)> CallAsync(HttpClient client, string operation, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/sim-swap/v2/{operation}") { Content = JsonContent.Create(body) };
        var correlator = Guid.NewGuid().ToString();
        request.Headers.Add("x-correlator", correlator);
        using var response = await client.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var echoed = response.Headers.TryGetValues("x-correlator", out var values) ? values.Single() : null;
        Assert.Equal(correlator, echoed);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!, echoed);
    }

    private static void AssertError((HttpStatusCode Status, JsonObject Body, string? Correlator) answer, HttpStatusCode status, string code)
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal((int)status, (int)answer.Body["status"]!);
        Assert.Equal(code, (string)answer.Body["code"]!);
        Assert.False(string.IsNullOrEmpty((string?)answer.Body["message"]));
    }

    [Fact]
    public async Task A_partner_learns_the_latest_SIM_change_of_a_swapped_a_never_swapped_and_an_unknown_number()
    {
        // Given two active mobile lines, one of which then has its SIM replaced
        var never = await ActiveNumberAsync();
        var swapped = await ActiveNumberAsync();
        var swap = await (await suite.Gateway.PostAsJsonAsync($"/api/v1/subscriptions/{swapped.Line}/sim-replacements",
            new { newIccid = LineSetup.NewIccid(), reason = "lost", identityCheck = "document-in-store" })).ReadJsonAsync(HttpStatusCode.Created);

        // Then retrieve-date answers the swap's date, and the activation date for the line never swapped
        var swappedDate = await CallAsync("retrieve-date", new { phoneNumber = swapped.PhoneNumber });
        Assert.Equal(HttpStatusCode.OK, swappedDate.Status);
        // (to the microsecond PostgreSQL keeps)
        var swappedAt = DateTimeOffset.Parse((string)swappedDate.Body["latestSimChange"]!);
        Assert.True((DateTimeOffset.Parse((string)swap["replacedAt"]!) - swappedAt).Duration() < TimeSpan.FromMilliseconds(1));
        var neverDate = await CallAsync("retrieve-date", new { phoneNumber = never.PhoneNumber });
        Assert.Equal(never.ActivatedAt, DateTimeOffset.Parse((string)neverDate.Body["latestSimChange"]!));

        // And check says swapped within an hour, not when the change is older than maxAge allows (none is: both are new,
        // and a new line counts as a SIM change in CAMARA's definition), with maxAge 240 when left out
        Assert.True((bool)(await CallAsync("check", new { phoneNumber = swapped.PhoneNumber, maxAge = 1 })).Body["swapped"]!);
        Assert.True((bool)(await CallAsync("check", new { phoneNumber = never.PhoneNumber })).Body["swapped"]!);

        // And an unknown number, a malformed one, a missing one and maxAge out of range get CAMARA's errors
        AssertError(await CallAsync("check", new { phoneNumber = "+34699999999", maxAge = 24 }), HttpStatusCode.NotFound, "IDENTIFIER_NOT_FOUND");
        AssertError(await CallAsync("retrieve-date", new { phoneNumber = "+4915123456789" }), HttpStatusCode.NotFound, "IDENTIFIER_NOT_FOUND");
        AssertError(await CallAsync("retrieve-date", new { phoneNumber = "622000001" }), HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
        AssertError(await CallAsync("retrieve-date", new { }), HttpStatusCode.UnprocessableEntity, "MISSING_IDENTIFIER");
        AssertError(await CallAsync("check", new { phoneNumber = swapped.PhoneNumber, maxAge = 2401 }), HttpStatusCode.BadRequest, "OUT_OF_RANGE");
        AssertError(await CallAsync("check", new { phoneNumber = swapped.PhoneNumber, maxAge = 0 }), HttpStatusCode.BadRequest, "OUT_OF_RANGE");

        // And only a partner's token opens them, the refusals in CAMARA's body too
        AssertError(await CallAsync(suite.CreateAnonymousGatewayClient(), "check", new { phoneNumber = swapped.PhoneNumber }), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        AssertError(await CallAsync(suite.CreateGatewayClient("till"), "check", new { phoneNumber = swapped.PhoneNumber }), HttpStatusCode.Forbidden, "PERMISSION_DENIED");
    }

    [Fact]
    public async Task A_client_generated_from_CAMARAs_own_document_works_against_the_gateway_unchanged()
    {
        // Given an active line, and the client Kiota generates from CAMARA SIM Swap v2.1.0 (r3.3) as published
        var line = await ActiveNumberAsync();
        var description = Path.Combine(GeneratedClient.RepositoryRoot(), "tests", "generated-clients", "camara-sim-swap", "sim-swap.yaml");

        // When a partner's program asks with it
        var run = await GeneratedClient.GenerateBuildAndRunAsync(description, "SimSwapClient", "Camara.SimSwap", "camara-sim-swap", new()
        {
            ["MASSTACK_GATEWAY"] = suite.GatewayAddress.ToString(),
            ["MASSTACK_TOKEN"] = await suite.AccessTokenAsync("partner"),
            ["PHONE_NUMBER"] = line.PhoneNumber,
        });
        Assert.True(run.ExitCode == 0, run.Output);
        var answers = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

        // Then it reads the activation date (never swapped), a new line as a recent change, and CAMARA's errors by status and code
        Assert.Equal(line.ActivatedAt, DateTimeOffset.Parse(answers["retrieve-date"]));
        Assert.Equal("True", answers["check"]);
        Assert.Equal("404 IDENTIFIER_NOT_FOUND", answers["unknown"]);
        Assert.Equal("400 OUT_OF_RANGE", answers["out-of-range"]);
    }

    private async Task<(long Line, string PhoneNumber, DateTimeOffset ActivatedAt)> ActiveNumberAsync()
    {
        var sale = await suite.Gateway.SellMobileWithSimAsync(LineSetup.NewIccid());
        var line = sale.Lines[1].SubscriptionId;
        await suite.ActivateAsync(line);
        var view = await suite.Gateway.GetJsonAsync($"/api/v1/subscriptions/{line}");
        return (line, (string)view["number"]!, DateTimeOffset.Parse((string)view["activatedAt"]!));
    }
}
