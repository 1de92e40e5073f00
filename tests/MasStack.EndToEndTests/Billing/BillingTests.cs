using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Billing;

[Collection(SuiteCollection.Name)]
public class BillingTests(SuiteFixture suite)
{
    private const string UnknownId = "4503599627370000";
    private static readonly TimeZoneInfo Spain = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");

    private readonly HttpClient _gateway = suite.Gateway;

    /// <summary>Customer care changes payment info: its client is who the history names.</summary>
    private readonly HttpClient _care = suite.CreateGatewayClient("care");

    /// <summary>The client of the operator operations (POST /billing-runs): the operator's own scoped client.</summary>
    private readonly HttpClient _operator = suite.CreateGatewayClient("operator");

    [Fact]
    public async Task Payment_info_comes_from_the_sale_changes_under_If_Match_keeps_its_history_and_Customer_shows_it_masked()
    {
        // Given a postpaid sale: Billing stored its payment info as one of the saga's steps
        var sale = await _gateway.SellAsync("MOBILE-POSTPAID", "postpaid", null, new SaleLine("mobile", "MOBILE-50GB"));
        var signup = await _gateway.GetJsonAsync($"/api/v1/signups/{sale.SignupId}");
        Assert.Contains(signup["steps"]!.AsArray(), s => (string)s!["step"]! == "billing" && (string)s["state"]! == "confirmed");
        var path = $"/api/v1/accounts/{sale.AccountId}/payment-info";
        var read = await _gateway.GetAsync(path);
        var info = await read.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("direct-debit", (string)info["method"]!);
        Assert.Equal("Lucía García Pérez", (string)info["holder"]!);
        Assert.Equal("ES** **** **** **** **** 1332", (string)info["iban"]!);
        var etag = read.Headers.ETag!.Tag;

        // When it is replaced without If-Match, with a stale one, or with an invalid IBAN, nothing changes
        var change = new { holder = "Lucía García", iban = "ES79 2100 0813 6101 2345 6789" };
        await (await PutAsync(path, change, null)).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        await (await PutAsync(path, change, "\"99\"")).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var invalid = await (await PutAsync(path, change with { iban = "ES79 2100 0813 6101 2345 6788" }, etag)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(invalid["errors"]!["iban"]);
        await (await PutAsync(path, new { holder = "", iban = change.iban }, etag)).AssertProblemAsync(HttpStatusCode.BadRequest, "holder");

        // When it is replaced with the current ETag, then the new one is masked, the ETag moves and the history says who and why
        var replaced = await PutAsync(path, change, etag, "Customer changed bank");
        var changed = await replaced.ReadJsonAsync(HttpStatusCode.OK);
        Assert.NotEqual(etag, replaced.Headers.ETag!.Tag);
        Assert.Equal("ES** **** **** **** **** 6789", (string)changed["iban"]!);
        var history = changed["history"]!.AsArray();
        Assert.Equal(2, history.Count);
        Assert.Equal(("care", "Customer changed bank", "ES** **** **** **** **** 6789"),
            ((string)history[0]!["by"]!, (string)history[0]!["why"]!, (string)history[0]!["iban"]!));
        Assert.Equal("ES** **** **** **** **** 1332", (string)history[1]!["iban"]!);
        await (await PutAsync(path, change, etag)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);

        // And Customer's masked bank account follows; the full IBAN is kept by Billing alone
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/users/{sale.UserId}"),
            u => (string?)u["bankAccount"] == "ES** **** **** **** **** 6789", "Customer to show the new bank account");
        foreach (var (service, sql) in new[]
                 {
                     (ResourceNames.Customer, "SELECT count(*) FROM users WHERE row_to_json(users)::text LIKE '%' || @digits || '%'"),
                     (ResourceNames.Signup, "SELECT count(*) FROM signups WHERE request::text LIKE '%' || @digits || '%'"),
                 })
            Assert.Equal(0, await suite.CountAsync(service, sql, new { digits = "21000418450200051332" }));
        Assert.Equal(1, await suite.CountAsync(ResourceNames.Billing, "SELECT count(*) FROM payment_info WHERE iban = @iban",
            new { iban = "ES7921000813610123456789" }));

        // And an unknown account has none
        await (await _gateway.GetAsync($"/api/v1/accounts/{UnknownId}/payment-info")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_run_invoices_each_account_once_prorated_discounted_and_taxed_by_its_address_however_often_and_however_it_runs()
    {
        // Given a customer in Madrid: fibre, and a mobile line with a promotion, terminated within its commitment
        var madrid = await _gateway.SellAsync();
        var (fibre1, mobile1) = (madrid.Lines[0].SubscriptionId, madrid.Lines[1].SubscriptionId);
        await suite.ActivateAsync(mobile1);
        var promotion = await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile1}/promotions", new { promotionCode = "WELCOME-50-3M" }))
            .ReadJsonAsync(HttpStatusCode.Created);
        (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile1}/termination", new { motiveId = 103 })).EnsureSuccessStatusCode();

        // And a customer in Las Palmas (IGIC) whose mobile line changed product after it became active
        var lasPalmas = await SellAsync(await _gateway.NewSaleAsync(), "35001", "Las Palmas de Gran Canaria", "Las Palmas");
        var (fibre2, mobile2) = (lasPalmas.Lines[0].SubscriptionId, lasPalmas.Lines[1].SubscriptionId);
        await suite.ActivateAsync(mobile2);
        var productChange = await (await _gateway.SendJsonAsync(HttpMethod.Put, $"/api/v1/subscriptions/{mobile2}/product", new { productCode = "MOBILE-UNLIMITED" }))
            .ReadJsonAsync(HttpStatusCode.OK);

        // The invoices a customer would check by hand, from the dates the lines show
        var terminated = await LineOnceAsync(mobile1, "terminated");
        var (f1, f2, m2) = (await LineOnceAsync(fibre1, "active"), await LineOnceAsync(fibre2, "active"), await LineOnceAsync(mobile2, "active"));
        var period = MonthOf(DateOf(terminated["activatedAt"]!));
        var expected1 = new Expected(period, 21m)
            .Fee("FIBER-1G", 35m, DateOf(f1["activatedAt"]!), period.End)
            .Fee("MOBILE-50GB", 15m, DateOf(terminated["activatedAt"]!), DateOf(terminated["endedAt"]!))
            .Discount("WELCOME-50-3M", 15m, 50m, Later(DateOf(terminated["activatedAt"]!), DateOnly.Parse((string)promotion["startDate"]!)),
                Earlier(DateOf(terminated["endedAt"]!), DateOnly.Parse((string)promotion["endDate"]!)))
            .Add("early-termination", null, null, (decimal)terminated["termination"]!["earlyTerminationFee"]!["amount"]!);
        var changedOn = DateOf(productChange["changedAt"]!);
        var expected2 = new Expected(period, 7m)
            .Fee("FIBER-1G", 35m, DateOf(f2["activatedAt"]!), period.End)
            .Fee("MOBILE-50GB", 15m, DateOf(m2["activatedAt"]!), Earlier(changedOn, period.End))
            .Fee("MOBILE-UNLIMITED", 25m, changedOn.AddDays(1), period.End);

        // When customer care looks at the next bill, it shows those lines, not numbered
        var draft1 = await CurrentChargesOnceAsync(madrid.AccountId, expected1);
        Assert.Equal(("draft", period.Text), ((string)draft1["status"]!, (string)draft1["period"]!));
        Assert.Null(draft1["number"]);
        var draft2 = await CurrentChargesOnceAsync(lasPalmas.AccountId, expected2);
        Assert.Equal(("IGIC", 7m), ((string)draft2["tax"]!["name"]!, (decimal)draft2["tax"]!["rate"]!));

        // And a run for a malformed period or one not ended is refused, writing nothing
        var runsBefore = await suite.CountAsync(ResourceNames.Billing, "SELECT count(*) FROM billing_runs", new { });
        await (await _operator.PostAsJsonAsync("/api/v1/billing-runs", new { period = "2026-13" })).AssertProblemAsync(HttpStatusCode.BadRequest, "period");
        await (await _operator.PostAsJsonAsync("/api/v1/billing-runs", new { period = period.Text })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "period");
        Assert.Equal(runsBefore, await suite.CountAsync(ResourceNames.Billing, "SELECT count(*) FROM billing_runs", new { }));

        try
        {
            // When Billing's calendar reaches the first day of the next month
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Spain).DateTime);
            await suite.MoveCalendarAsync(ResourceNames.Billing, TimeSpan.FromDays(period.End.DayNumber - today.DayNumber + 1));
            await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{madrid.AccountId}/current-charges"),
                c => (string)c["period"]! != period.Text, "Billing's calendar to reach the next month");

            // And an instance had crashed half way through a run of the period: one account claimed and not invoiced, one not reached
            var crashed = await CrashedRunAsync(period.Text, madrid.AccountId, lasPalmas.AccountId);
            var resumed = await RunOnceDoneAsync(crashed);
            Assert.Equal((2L, 2L), ((long)resumed["accounts"]!["total"]!, (long)resumed["accounts"]!["invoiced"]!));

            // And two runs are started at once, and one more after them
            var starts = await Task.WhenAll(StartRunAsync(period.Text), StartRunAsync(period.Text));
            foreach (var start in starts) await RunOnceDoneAsync((long)start["runId"]!);
            var again = await RunOnceDoneAsync((long)(await StartRunAsync(period.Text))["runId"]!);
            Assert.Equal(0L, (long)again["accounts"]!["invoiced"]!);
            Assert.True((long)again["accounts"]!["alreadyInvoiced"]! >= 2);

            // Then each account has exactly one invoice for the period, numbered without gaps, with the lines of its draft
            foreach (var (account, expected, tax) in new[] { (madrid.AccountId, expected1, "IVA"), (lasPalmas.AccountId, expected2, "IGIC") })
            {
                var list = await _gateway.GetAsync($"/api/v1/accounts/{account}/invoices");
                var summaries = JsonNode.Parse(await list.Content.ReadAsStringAsync())!.AsArray();
                Assert.Equal("1", list.Headers.GetValues("X-Total-Count").Single());
                var invoice = await _gateway.GetJsonAsync($"/api/v1/invoices/{(long)summaries.Single()!["invoiceId"]!}");
                Assert.Equal(("issued", period.Text, tax), ((string)invoice["status"]!, (string)invoice["period"]!, (string)invoice["tax"]!["name"]!));
                Assert.Matches(@"^F\d{4}-\d{6}$", (string)invoice["number"]!);
                Assert.Equal(expected.Lines(), LinesOf(invoice));
                Assert.Equal(expected.Total, (decimal)invoice["total"]!["amount"]!);
                Assert.Equal((decimal)invoice["total"]!["amount"]!, invoice["lines"]!.AsArray().Sum(l => (decimal)l!["amount"]!["amount"]!));
            }
            await using (var billing = await suite.OpenDatabaseAsync(ResourceNames.Billing))
            {
                Assert.Equal(0, await billing.ExecuteScalarAsync<long>(
                    "SELECT count(*) FROM (SELECT account_id FROM invoices WHERE period = @Text GROUP BY account_id HAVING count(*) > 1) twice", period));
                var gaps = await billing.QueryAsync<(string Series, int Year, long Count, long Span)>(
                    "SELECT series, year, count(*), max(sequence) - min(sequence) + 1 FROM invoices GROUP BY series, year");
                Assert.All(gaps, g => Assert.Equal(g.Span, g.Count));
                Assert.Equal(1, await billing.ExecuteScalarAsync<long>(
                    "SELECT count(*) FROM invoice_series s WHERE last_number = (SELECT max(sequence) FROM invoices i WHERE i.series = s.series AND i.year = s.year)"));
            }

            // And unknown resources are 404
            foreach (var unknown in new[] { $"/api/v1/accounts/{UnknownId}/invoices", $"/api/v1/accounts/{UnknownId}/current-charges", $"/api/v1/invoices/{UnknownId}", $"/api/v1/billing-runs/{UnknownId}" })
                await (await _gateway.GetAsync(unknown)).AssertProblemAsync(HttpStatusCode.NotFound);
            await (await _gateway.GetAsync($"/api/v1/accounts/{madrid.AccountId}/invoices?from=2026-12-01&to=2026-11-01")).AssertProblemAsync(HttpStatusCode.BadRequest, "from");
        }
        finally
        {
            await suite.MoveCalendarAsync(ResourceNames.Billing, TimeSpan.Zero);
        }
    }

    private async Task<JsonObject> StartRunAsync(string period) =>
        await (await _operator.PostAsJsonAsync("/api/v1/billing-runs", new { period })).ReadJsonAsync(HttpStatusCode.Accepted);

    private Task<JsonObject> RunOnceDoneAsync(long runId) =>
        Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/billing-runs/{runId}"), r => (string)r["status"]! == "completed",
            $"billing run {runId} to complete", TimeSpan.FromSeconds(60));

    /// <summary>What an instance that died half way through a run leaves: the run running, a batch claimed (its lease since run out) and the rest pending.</summary>
    private async Task<long> CrashedRunAsync(string period, long claimedAccount, long pendingAccount)
    {
        var runId = 1_000_000_000_000L + Random.Shared.NextInt64(1_000_000_000);
        await using var billing = await suite.OpenDatabaseAsync(ResourceNames.Billing);
        await using var transaction = await billing.BeginTransactionAsync();
        await billing.ExecuteAsync(
            "INSERT INTO billing_runs (id, period, status, requested_by, created_at) VALUES (@runId, @period, 'running', 'crashed-test', now())",
            new { runId, period }, transaction);
        await billing.ExecuteAsync(
            """
            INSERT INTO billing_run_accounts (run_id, account_id, state, claimed_until)
            VALUES (@runId, @claimedAccount, 'pending', now() - interval '1 second'), (@runId, @pendingAccount, 'pending', NULL)
            """, new { runId, claimedAccount, pendingAccount }, transaction);
        await transaction.CommitAsync();
        return runId;
    }

    private Task<JsonObject> CurrentChargesOnceAsync(long accountId, Expected expected) =>
        Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{accountId}/current-charges"),
            c => LinesOf(c).SequenceEqual(expected.Lines()), $"account {accountId}'s current charges to show its lines", TimeSpan.FromSeconds(60));

    private static List<string> LinesOf(JsonObject invoice) =>
        [.. invoice["lines"]!.AsArray().Select(l => Line((string)l!["kind"]!, (string?)l["code"], (int?)l["days"], (decimal)l["amount"]!["amount"]!)).Order()];

    private static string Line(string kind, string? code, int? days, decimal amount) => $"{kind} {code} {days} {amount:0.00}";

    private Task<JsonObject> LineOnceAsync(long subscriptionId, string status) =>
        Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/subscriptions/{subscriptionId}"), l => (string)l["status"]! == status,
            $"line {subscriptionId} to be {status}", TimeSpan.FromSeconds(60));

    private async Task<HttpResponseMessage> PutAsync(string path, object body, string? ifMatch, string? reason = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        if (reason is not null) request.Headers.Add("X-Reason", reason);
        return await _care.SendAsync(request);
    }

    private async Task<SoldSale> SellAsync(JsonObject sale, string postalCode, string city, string province)
    {
        var address = sale["customer"]!["address"]!;
        (address["postalCode"], address["city"], address["province"]) = (postalCode, city, province);
        var accepted = await (await _gateway.PostAsJsonAsync("/api/v1/signups", sale)).ReadJsonAsync(HttpStatusCode.Accepted);
        var signupId = (long)accepted["signupId"]!;
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/signups/{signupId}"), s => (string)s["status"]! == "completed", $"signup {signupId} to complete");
        return new SoldSale(signupId, (long)accepted["userId"]!, (long)accepted["accountId"]!, (string)sale["customer"]!["documentNumber"]!,
            (string)sale["customer"]!["email"]!,
            [.. accepted["subscriptions"]!.AsArray().Select(s => new SoldLine((long)s!["subscriptionId"]!, (string)s["type"]!, (string?)s["number"], (string?)s["iccid"]))]);
    }

    private static DateOnly DateOf(JsonNode moment) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.Parse((string)moment!), Spain).DateTime);

    private static DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly Earlier(DateOnly a, DateOnly b) => a < b ? a : b;

    private static Month MonthOf(DateOnly date) => new(new DateOnly(date.Year, date.Month, 1));

    private sealed record Month(DateOnly Start)
    {
        public DateOnly End => Start.AddMonths(1).AddDays(-1);
        public int Days => End.Day;
        public string Text => Start.ToString("yyyy-MM");
    }

    /// <summary>An invoice as a customer checks it by hand: each fee its days over the month's, each line rounded to the cent, the tax on their sum.</summary>
    private sealed class Expected(Month month, decimal taxRate)
    {
        private readonly List<(string Kind, string? Code, int? Days, decimal Amount)> _lines = [];

        public Expected Fee(string product, decimal monthlyFee, DateOnly from, DateOnly to) =>
            from > to ? this : Add("fee", product, Days(from, to), Round(monthlyFee * Days(from, to) / month.Days));

        public Expected Discount(string promotion, decimal monthlyFee, decimal percent, DateOnly from, DateOnly to) =>
            from > to ? this : Add("discount", promotion, Days(from, to), -Round(monthlyFee * Days(from, to) / month.Days * percent / 100m));

        public Expected Add(string kind, string? code, int? days, decimal amount)
        {
            _lines.Add((kind, code, days, amount));
            return this;
        }

        private decimal Taxable => _lines.Sum(l => l.Amount);

        private decimal Tax => Round(Taxable * taxRate / 100m);

        public decimal Total => Taxable + Tax;

        public List<string> Lines() =>
            [.. _lines.Select(l => Line(l.Kind, l.Code, l.Days, l.Amount)).Append(Line("tax", taxRate == 21m ? "IVA" : "IGIC", null, Tax)).Order()];

        private static int Days(DateOnly from, DateOnly to) => to.DayNumber - from.DayNumber + 1;

        private static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);
    }
}
