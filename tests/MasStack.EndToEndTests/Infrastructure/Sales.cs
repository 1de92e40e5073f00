using System.Text.Json.Nodes;

namespace MasStack.EndToEndTests.Infrastructure;

/// <summary>
/// Sales as a till or the online shop would post them, each with a customer and numbers no other test uses. A chosen
/// number must be reserved first (<see cref="ReserveAsync"/>): <see cref="NewSaleAsync"/> and <see cref="SellAsync"/> do
/// it. <see cref="NewSale(string?, string[])"/> builds an online sale whose lines take their number and SIM from stock,
/// unless numbers are given (then reserve them yourself and set each line's <c>reservationId</c>).
/// </summary>
public static class Sales
{
    private const string DniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";
    private static int _sequence = Random.Shared.Next(0, 1_000_000);

    public static string NewDni()
    {
        var number = Random.Shared.Next(10_000_000, 99_999_999);
        return $"{number}{DniLetters[number % 23]}";
    }

    /// <summary>A fixed number of our range 910 xxx xxx (Madrid) not used before in this run.</summary>
    public static string NewFixed() => $"910{(Interlocked.Increment(ref _sequence) * 7919L + Random.Shared.Next(0, 7919)) % 1_000_000:D6}";

    /// <summary>A mobile number of our range 622 xxx xxx not used before in this run.</summary>
    public static string NewMobile() => $"622{(Interlocked.Increment(ref _sequence) * 7919L + Random.Shared.Next(0, 7919)) % 1_000_000:D6}";

    /// <summary>Holds a number for a sale (15 minutes); the reservation id goes on the sale's line.</summary>
    public static async Task<long> ReserveAsync(this HttpClient gateway, string number)
    {
        var response = await gateway.PostAsync($"/api/v1/msisdns/{Uri.EscapeDataString(number)}/reservations", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Reserving {number} was refused: {body}");
        return (long)JsonNode.Parse(body)!["reservationId"]!;
    }

    /// <summary>
    /// <see cref="NewSale(string, string, string?, IEnumerable{SaleLine})"/> with every mobile and fixed line on a chosen,
    /// reserved number (a new one of our ranges where the line names none).
    /// </summary>
    public static async Task<JsonObject> NewSaleAsync(
        this HttpClient gateway, string bundleCode = "FIBER-MOBILE", string paymentType = "postpaid", string? documentNumber = null,
        params SaleLine[] lines)
    {
        if (lines.Length == 0) lines = [new SaleLine("internet", "FIBER-1G"), new SaleLine("mobile", "MOBILE-50GB")];
        var numbered = lines.Select(l => l.Type switch
        {
            "mobile" => l with { Number = l.Number ?? NewMobile() },
            "fixed" => l with { Number = l.Number ?? NewFixed() },
            _ => l,
        }).ToList();
        var sale = NewSale(bundleCode, paymentType, documentNumber, numbered);
        foreach (var line in sale["lines"]!.AsArray())
            if ((string?)line!["number"] is { } number)
                line["reservationId"] = await gateway.ReserveAsync(number);
        return sale;
    }

    public static JsonObject NewSale(string? documentNumber = null, params string[] mobiles)
    {
        SaleLine[] lines = mobiles.Length == 0 ? [new SaleLine("mobile", "MOBILE-50GB")] : [.. mobiles.Select(m => new SaleLine("mobile", "MOBILE-50GB", m))];
        return NewSale("FIBER-MOBILE", "postpaid", documentNumber, [new SaleLine("internet", "FIBER-1G"), .. lines]);
    }

    /// <summary>An online sale of <paramref name="bundleCode"/> with the given lines; a mobile or fixed line without a number gets one from stock.</summary>
    public static JsonObject NewSale(string bundleCode, string paymentType, string? documentNumber, IEnumerable<SaleLine> saleLines)
    {
        var dni = documentNumber ?? NewDni();
        var lines = new JsonArray();
        foreach (var line in saleLines)
        {
            var json = new JsonObject { ["type"] = line.Type, ["productCode"] = line.ProductCode };
            if (line.Type is "mobile" or "fixed")
            {
                json["numberMode"] = "new";
                if (line.Number is not null) json["number"] = line.Number;
            }
            if (line.Iccid is not null) json["iccid"] = line.Iccid;
            lines.Add(json);
        }

        return new JsonObject
        {
            ["channel"] = "online",
            ["expedition"] = new JsonObject
            {
                ["address"] = new JsonObject
                {
                    ["street"] = "Calle Mayor 1, 3º B", ["city"] = "Madrid", ["postalCode"] = "28013", ["province"] = "Madrid",
                },
                ["contactName"] = "Lucía García Pérez",
                ["contactPhone"] = "+34 612 345 678",
            },
            ["paymentType"] = paymentType,
            ["bundleCode"] = bundleCode,
            ["customer"] = new JsonObject
            {
                ["documentType"] = "dni",
                ["documentNumber"] = dni,
                ["firstName"] = "Lucía",
                ["lastName"] = "García Pérez",
                ["email"] = $"lucia.{dni.ToLowerInvariant()}@example.com",
                ["phone"] = "+34 612 345 678",
                ["birthDate"] = "1990-05-17",
                ["address"] = new JsonObject
                {
                    ["street"] = "Calle Mayor 1, 3º B", ["city"] = "Madrid", ["postalCode"] = "28013", ["province"] = "Madrid",
                },
                ["iban"] = paymentType == "postpaid" ? "ES91 2100 0418 4502 0005 1332" : null,
            },
            ["lines"] = lines,
        };
    }

    /// <summary>
    /// Sells through the gateway as the online shop would (numbers reserved first, SIMs from stock) and waits until the signup completed: the starting point of
    /// every test about what happens after a sale. Its signature is what tests rely on; how a sale is made
    /// (reservations, SIMs, …) may grow behind it.
    /// </summary>
    public static async Task<SoldSale> SellAsync(
        this HttpClient gateway, string bundleCode = "FIBER-MOBILE", string paymentType = "postpaid", string? documentNumber = null,
        params SaleLine[] lines)
    {
        if (lines.Length == 0) lines = [new SaleLine("internet", "FIBER-1G"), new SaleLine("mobile", "MOBILE-50GB")];
        var sale = await gateway.NewSaleAsync(bundleCode, paymentType, documentNumber, lines);
        var response = await gateway.PostAsJsonAsync("/api/v1/signups", sale);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"The sale was refused: {body}");
        var accepted = JsonNode.Parse(body)!.AsObject();
        var signupId = (long)accepted["signupId"]!;

        var signup = await Eventually.Until(
            () => gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{signupId}")!,
            s => (string)s!["status"]! != "pending", $"signup {signupId} to complete");
        Assert.True((string)signup!["status"]! == "completed", $"The sale did not complete: {signup}");

        var sold = accepted["subscriptions"]!.AsArray().Select(s => new SoldLine(
            (long)s!["subscriptionId"]!, (string)s["type"]!, (string?)s["number"], (string?)s["iccid"])).ToList();
        return new SoldSale(signupId, (long)accepted["userId"]!, (long)accepted["accountId"]!,
            (string)sale["customer"]!["documentNumber"]!, (string)sale["customer"]!["email"]!, sold);
    }

}

public sealed record SaleLine(string Type, string ProductCode, string? Number = null, string? Iccid = null);

/// <summary>A line sold: its number in E.164 and, for a mobile line, the ICCID of its SIM (to activate it).</summary>
public sealed record SoldLine(long SubscriptionId, string Type, string? Number, string? Iccid = null);

public sealed record SoldSale(long SignupId, long UserId, long AccountId, string DocumentNumber, string Email, IReadOnlyList<SoldLine> Lines);
