using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;

namespace MasStack.EndToEndTests;

[Collection(SuiteCollection.Name)]
public class SignupStockTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task Master_data_gives_a_sales_client_every_list_it_needs()
    {
        var data = (await _gateway.GetFromJsonAsync<JsonObject>("/api/v1/master-data"))!;

        Assert.Contains("dni", data["documentTypes"]!.AsArray().Select(d => (string)d!));
        Assert.Equal(["online", "store"], data["channels"]!.AsArray().Select(c => (string)c!).Order());
        Assert.Contains(data["networks"]!.AsArray(), n => (string)n!["code"]! == "masmovil" && (string)n["type"]! == "mobile");
        Assert.Contains(data["donorOperators"]!.AsArray(), d => (string)d!["code"]! == "movistar");
        Assert.All(data["cancellationMotives"]!.AsArray(), m => Assert.True((int)m!["id"]! > 0));
        Assert.Equal(52, data["provinces"]!.AsArray().Count);
        Assert.Equal(["postpaid", "prepaid"], data["paymentTypes"]!.AsArray().Select(p => (string)p!).Order());
    }

    [Fact]
    public async Task Free_numbers_are_listed_from_the_networks_ranges()
    {
        var response = await _gateway.GetAsync("/api/v1/msisdns?network=masmovil&type=mobile&count=5");

        var numbers = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.Equal(5, numbers.Count);
        Assert.All(numbers, n => Assert.Matches(@"^\+34(622|711)\d{6}$", (string)n!["msisdn"]!));
        await (await _gateway.GetAsync("/api/v1/msisdns?network=nowhere")).AssertProblemAsync(HttpStatusCode.BadRequest, "network");
        await (await _gateway.GetAsync("/api/v1/msisdns?network=masmovil&type=fixed")).AssertProblemAsync(HttpStatusCode.BadRequest, "type");
    }

    [Fact]
    public async Task A_number_is_held_once_for_fifteen_minutes()
    {
        var number = Sales.NewMobile();

        var first = await _gateway.PostAsync($"/api/v1/msisdns/{number}/reservations", null);
        var second = await _gateway.PostAsync($"/api/v1/msisdns/%2B34{number}/reservations", null);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var hold = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True((long)hold["reservationId"]! > 0);
        Assert.Equal("+34" + number, (string)hold["msisdn"]!);
        var expiresIn = DateTimeOffset.Parse((string)hold["expiresAt"]!) - DateTimeOffset.UtcNow;
        Assert.InRange(expiresIn.TotalMinutes, 14, 15.5);
        await second.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Only_our_own_well_formed_numbers_can_be_held()
    {
        await (await _gateway.PostAsync("/api/v1/msisdns/12345/reservations", null)).AssertProblemAsync(HttpStatusCode.BadRequest, "msisdn");
        await (await _gateway.PostAsync("/api/v1/msisdns/612345678/reservations", null)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_sim_stock_is_listed_by_network_and_state_and_paged()
    {
        var response = await _gateway.GetAsync("/api/v1/sim-cards?network=masmovil&state=available&limit=3");

        var sims = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.Equal(3, sims.Count);
        Assert.True(int.Parse(Assert.Single(response.Headers.GetValues("X-Total-Count"))) > 100);
        Assert.All(sims, s => Assert.Equal("available", (string)s!["state"]!));
        var icc = (string)sims[0]!["iccid"]!;
        var one = (await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/sim-cards/{icc}"))!;
        Assert.Equal("masmovil", (string)one["network"]!);
    }

    [Fact]
    public async Task A_malformed_iccid_is_400_and_an_unknown_one_404()
    {
        await (await _gateway.GetAsync("/api/v1/sim-cards/8934250001000000016")).AssertProblemAsync(HttpStatusCode.BadRequest, "icc");
        await (await _gateway.GetAsync("/api/v1/sim-cards/8934990001000000010")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_store_sale_assigns_the_scanned_sim_and_an_online_sale_one_from_stock()
    {
        var icc = await StoreSales.AvailableSimAsync(_gateway);
        var sale = await StoreSales.StoreSaleAsync(_gateway, icc);

        var response = await _gateway.PostAsJsonAsync("/api/v1/signups", sale);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var mobile = (await response.Content.ReadFromJsonAsync<JsonObject>())!["subscriptions"]!.AsArray().Single(s => (string)s!["type"]! == "mobile")!;
        Assert.Equal(icc, (string)mobile["iccid"]!);
        var sim = (await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/sim-cards/{icc}"))!;
        Assert.Equal("assigned", (string)sim["state"]!);
        Assert.Equal((long)mobile["subscriptionId"]!, (long)sim["subscriptionId"]!);

        var online = await _gateway.SellAsync();
        var shipped = online.Lines.Single(l => l.Type == "mobile");
        Assert.NotNull(shipped.Iccid);
        Assert.Matches(@"^\+34(622|711)\d{6}$", shipped.Number!);
    }
}

/// <summary>Store sales: a SIM scanned from the shelf and a number reserved at the till.</summary>
public static class StoreSales
{
    public static async Task<string> AvailableSimAsync(HttpClient gateway, string network = "masmovil")
    {
        var offset = Random.Shared.Next(0, 1000);
        var sims = (await gateway.GetFromJsonAsync<JsonArray>($"/api/v1/sim-cards?network={network}&state=available&offset={offset}&limit=1"))!;
        return (string)sims[0]!["iccid"]!;
    }

    public static async Task<JsonObject> StoreSaleAsync(HttpClient gateway, string icc, string? documentNumber = null)
    {
        var sale = await gateway.NewSaleAsync(documentNumber: documentNumber);
        sale["channel"] = "store";
        sale["storeId"] = "store-0042";
        sale.Remove("expedition");
        sale["lines"]![1]!["iccid"] = icc;
        return sale;
    }
}
