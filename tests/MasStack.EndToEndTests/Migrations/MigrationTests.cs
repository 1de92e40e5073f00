using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Migrations;

/// <summary>
/// Moving a line to another account of its user (issue 14): Account's saga, each view following, one migration at a time,
/// and all or nothing — a step made to fail (the test-only <c>X-Fault-Step</c>, honoured because the suite runs with
/// <c>Faults:Migrations</c>) or never answering leaves every view as it was.
/// </summary>
[Collection(SuiteCollection.Name)]
public partial class MigrationTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task A_line_moves_to_an_existing_or_a_new_account_of_its_user_and_every_view_follows()
    {
        // Given a user with three postpaid accounts: fibre and two mobiles, one mobile, one mobile
        var dni = Sales.NewDni();
        var (a, b, c) = await SalesAsync(dni);
        var (m1, m2, cLine) = (a.Lines[1].SubscriptionId, a.Lines[2].SubscriptionId, c.Lines[0].SubscriptionId);
        await ActivateAsync(m1, m2, cLine);

        // When one mobile moves to the existing mobile account
        var moved = await CompletedAsync(m1, new { targetAccountId = b.AccountId });
        Assert.Equal("to-existing-account", (string)moved["kind"]!);
        Assert.Equal((a.AccountId, b.AccountId), ((long)moved["sourceAccountId"]!, (long)moved["targetAccountId"]!));
        Assert.Equal("completed", (string)moved["steps"]!["subscription"]!);

        // Then the line keeps its id in the target: the subscription, both accounts, the tree, the charges and the barrings say so;
        // the account it left is charged its fee up to the day of the move, the target from the day after
        Assert.Equal(b.AccountId, (long)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{m1}"))["accountId"]!);
        await ViewsShowAsync(a.UserId, m1, b.AccountId, a.AccountId);
        await MovedChargesAsync(moved, "MOBILE-50GB", "MOBILE-50GB");
        Assert.Equal(m1, (long)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{m1}/barrings"))["subscriptionId"]!);

        // When the other moves to a new postpaid account opened for it, with its IBAN
        var opened = await CompletedAsync(m2, new { newAccount = new { paymentType = "postpaid", bundleCode = "MOBILE-POSTPAID", iban = "ES7921000813610123456789" } });
        Assert.Equal("to-new-account", (string)opened["kind"]!);
        var newAccount = (long)opened["targetAccountId"]!;
        Assert.True((bool)opened["newAccount"]!);
        Assert.Equal(["billing", "subscription"], opened["steps"]!.AsObject().Select(s => s.Key).Order());

        // Then the new account is the user's, with the line, and Billing charges it by direct debit to that IBAN, holder the source's
        await ViewsShowAsync(a.UserId, m2, newAccount, a.AccountId);
        await MovedChargesAsync(opened, "MOBILE-10GB", "MOBILE-10GB");
        var account = await _gateway.GetJsonAsync($"/api/v1/accounts/{newAccount}");
        Assert.Equal(("MOBILE-POSTPAID", "active"), ((string)account["bundleCode"]!, (string)account["status"]!));
        var payment = await _gateway.GetJsonAsync($"/api/v1/accounts/{newAccount}/payment-info");
        Assert.Equal("Lucía García Pérez", (string)payment["holder"]!);
        Assert.EndsWith("6789", (string)payment["iban"]!);

        // And its terms are the ones accepted with it, as every account's are (kept, not read from today's catalogue)
        var terms = await _gateway.GetJsonAsync($"/api/v1/accounts/{newAccount}/terms");
        Assert.Equal(("MOBILE-POSTPAID", DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid")).DateTime).ToString("yyyy-MM-dd")), ((string)terms["bundleCode"]!, (string)terms["startDate"]!));
        await using (var accounts = await suite.OpenDatabaseAsync(ResourceNames.Account))
            Assert.Equal(2, await accounts.ExecuteScalarAsync<int>(
                "SELECT count(*) FROM accounts WHERE id = ANY(@ids) AND terms->>'TermsVersion' = @version AND terms_accepted_at IS NOT NULL",
                new { ids = new[] { a.AccountId, newAccount }, version = (string)terms["termsVersion"]! }));

        // When the only line of the third account moves to the second, the third account is closed
        await CompletedAsync(cLine, new { targetAccountId = b.AccountId });
        await ViewsShowAsync(a.UserId, cLine, b.AccountId, c.AccountId);
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{c.AccountId}"), v => (string)v["status"]! == "closed",
            "the account left without lines to close");
        Assert.Equal(a.AccountId, (long)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{a.Lines[0].SubscriptionId}"))["accountId"]!);
    }

    [Fact]
    public async Task Refused_migrations_name_why_and_change_nothing()
    {
        var dni = Sales.NewDni();
        var (a, b, _) = await SalesAsync(dni);
        var other = await _gateway.SellAsync("MOBILE-POSTPAID", "postpaid", null, new SaleLine("mobile", "MOBILE-50GB"));
        var (internet, mobile, pending) = (a.Lines[0].SubscriptionId, a.Lines[1].SubscriptionId, a.Lines[2].SubscriptionId);
        await ActivateAsync(mobile);

        await (await StartAsync(mobile, new { targetAccountId = other.AccountId })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "targetAccountId");
        await (await StartAsync(mobile, new { targetAccountId = a.AccountId })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "targetAccountId");
        await (await StartAsync(mobile, new { })).AssertProblemAsync(HttpStatusCode.BadRequest, "targetAccountId");
        await (await StartAsync(mobile, new { targetAccountId = b.AccountId, newAccount = new { paymentType = "postpaid", bundleCode = "MOBILE-POSTPAID" } }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "targetAccountId");
        await (await StartAsync(mobile, new { newAccount = new { paymentType = "postpaid", bundleCode = "MOBILE-POSTPAID" } }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "newAccount.iban");
        await (await StartAsync(mobile, new { newAccount = new { paymentType = "postpaid", bundleCode = "NO-SUCH", iban = "ES7921000813610123456789" } }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "newAccount.bundleCode");
        Assert.Contains("has no internet lines", await DetailAsync(await StartAsync(internet, new { targetAccountId = b.AccountId }), HttpStatusCode.Conflict));
        Assert.Contains("pending-activation", await DetailAsync(await StartAsync(pending, new { targetAccountId = b.AccountId }), HttpStatusCode.Conflict));
        await (await StartAsync(mobile, new { targetAccountId = b.AccountId, productCode = "PREPAID-5GB" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "productCode");
        Assert.Equal(HttpStatusCode.NotFound, (await StartAsync(4242, new { targetAccountId = b.AccountId })).StatusCode);

        // Nothing moved, nothing was opened
        Assert.Equal(a.AccountId, (long)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}"))["accountId"]!);
        Assert.Equal(3, (await AccountsOfAsync(a.UserId)).Count);
    }

    [Fact]
    public async Task A_step_that_fails_or_never_answers_undoes_every_step_done_and_every_view_shows_what_it_showed()
    {
        // Given three users, each with a line to move
        var sales = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SalesAsync(Sales.NewDni())));
        await ActivateAsync([.. sales.Select(s => s.A.Lines[1].SubscriptionId)]);
        var newAccount = new { paymentType = "postpaid", bundleCode = "MOBILE-POSTPAID", iban = "ES7921000813610123456789" };

        // When Subscription refuses its step, when Billing refuses its step after Subscription moved the line, and when
        // Subscription never answers (the deadline fails it)
        var failed = await Task.WhenAll(
            FailedAsync(sales[0].A.Lines[1].SubscriptionId, new { targetAccountId = sales[0].B.AccountId }, "subscription"),
            FailedAsync(sales[1].A.Lines[1].SubscriptionId, new { newAccount }, "billing"),
            FailedAsync(sales[2].A.Lines[1].SubscriptionId, new { newAccount }, "subscription:silent"));

        Assert.Contains("The subscription step failed", (string)failed[0]["reason"]!);
        Assert.Contains("The billing step failed", (string)failed[1]["reason"]!);
        // (Subscription's step ran on its own meanwhile, or was stopped by the failure before it could: either way it is undone.)
        Assert.Equal($"Timed out waiting for: subscription.", (string)failed[2]["reason"]!);

        // Then each line is back (or still) in its account, and no account opened for a failed migration remains
        for (var i = 0; i < 3; i++)
        {
            var (sale, line) = (sales[i].A, sales[i].A.Lines[1].SubscriptionId);
            await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}"), l => (long)l["accountId"]! == sale.AccountId,
                "the line to be back in its account");
            await ViewsShowAsync(sale.UserId, line, sale.AccountId, sales[i].B.AccountId);
            await ChargesShowAsync(sale.AccountId, line, [await FeeAsync("MOBILE-50GB", Today(), MonthEnd())]);
            await ChargesShowAsync(sales[i].B.AccountId, line, []);
            if ((bool)failed[i]["newAccount"]!) await ChargesShowAsync((long)failed[i]["targetAccountId"]!, line, [NoAccount]);
            Assert.Equal(new[] { sale.AccountId, sales[i].B.AccountId, sales[i].C.AccountId }.Order(), (await AccountsOfAsync(sale.UserId)).Order());
            if ((bool)failed[i]["newAccount"]!)
            {
                var opened = (long)failed[i]["targetAccountId"]!;
                Assert.Equal(HttpStatusCode.NotFound, (await _gateway.GetAsync($"/api/v1/accounts/{opened}")).StatusCode);
                await Eventually.Until(async () => (await _gateway.GetAsync($"/api/v1/accounts/{opened}/payment-info")).StatusCode,
                    s => s == HttpStatusCode.NotFound, "Billing to drop the account it opened");
            }
        }
        // And the line can migrate again, once every participant confirmed its undo
        await UndoEndedAsync((long)failed[0]["migrationId"]!);
        await CompletedAsync(sales[0].A.Lines[1].SubscriptionId, new { targetAccountId = sales[0].B.AccountId });
    }

    [Fact]
    public async Task Two_migrations_of_one_line_at_once_one_is_accepted_the_other_409()
    {
        var (a, b, c) = await SalesAsync(Sales.NewDni());
        var (line, cLine) = (a.Lines[1].SubscriptionId, c.Lines[0].SubscriptionId);
        await ActivateAsync(line, cLine);

        // Two requests at once (the line's step held unanswered, so that the first is surely still pending when the second comes)
        var answers = await Task.WhenAll(
            StartAsync(line, new { targetAccountId = b.AccountId }, "subscription:silent"),
            StartAsync(line, new { targetAccountId = c.AccountId }, "subscription:silent"));

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], answers.Select(r => r.StatusCode).Order());
        var accepted = await answers.Single(r => r.StatusCode == HttpStatusCode.Accepted).ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Contains($"line {line}", await DetailAsync(answers.Single(r => r.StatusCode == HttpStatusCode.Conflict), HttpStatusCode.Conflict));
        Assert.Equal("pending", (string)(await _gateway.GetJsonAsync($"/api/v1/migrations/{(long)accepted["migrationId"]!}"))["status"]!);

        // And another line's migration to (or from) an account the pending one holds waits its turn too
        var target = (long)accepted["targetAccountId"]!;
        Assert.Contains($"account {target}", await DetailAsync(
            await StartAsync(cLine, new { targetAccountId = target == c.AccountId ? b.AccountId : target }), HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task An_account_moves_to_a_compatible_bundle_its_lines_to_mapped_products_under_terms_accepted_then()
    {
        // Given a fibre and mobile account
        var sale = await _gateway.SellAsync();
        var (internet, mobile) = (sale.Lines[0].SubscriptionId, sale.Lines[1].SubscriptionId);
        await ActivateAsync(mobile);

        // Then a bundle that cannot hold its lines, its own bundle, a product the bundle does not offer, are refused, changing nothing
        Assert.Contains("It has no internet lines", await DetailAsync(await BundleAsync(sale.AccountId, new { bundleCode = "MOBILE-POSTPAID" }), HttpStatusCode.Conflict));
        await (await BundleAsync(sale.AccountId, new { bundleCode = "FIBER-MOBILE" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "bundleCode");
        await (await BundleAsync(sale.AccountId, new { bundleCode = "FIBER-MOBILE-TV", products = new[] { new { subscriptionId = mobile, productCode = "PREPAID-5GB" } } }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "products[0].productCode");
        await (await BundleAsync(sale.AccountId, new { })).AssertProblemAsync(HttpStatusCode.BadRequest, "bundleCode");

        // When it moves to fibre, mobile and TV (compatible: the TV line is one it may add), its mobile to unlimited
        var response = await BundleAsync(sale.AccountId, new { bundleCode = "FIBER-MOBILE-TV", products = new[] { new { subscriptionId = mobile, productCode = "MOBILE-UNLIMITED" } } });
        var accepted = await response.ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(("bundle", "FIBER-MOBILE-TV"), ((string)accepted["kind"]!, (string)accepted["bundleCode"]!));
        Assert.Null(accepted["subscriptionId"]);
        var done = await EndedAsync((long)accepted["migrationId"]!);
        Assert.True((string)done["status"]! == "completed", $"The bundle migration did not complete: {done}");

        // Then the account, its terms, the lines, the tree and the charges show it
        Assert.Equal("FIBER-MOBILE-TV", (string)(await _gateway.GetJsonAsync($"/api/v1/accounts/{sale.AccountId}"))["bundleCode"]!);
        Assert.Equal("FIBER-MOBILE-TV", (string)(await _gateway.GetJsonAsync($"/api/v1/accounts/{sale.AccountId}/terms"))["bundleCode"]!);
        Assert.Equal("MOBILE-UNLIMITED", (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}"))["productCode"]!);
        Assert.Equal("FIBER-1G", (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{internet}"))["productCode"]!);
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/users/{sale.UserId}/tree"),
            tree => tree["accounts"]!.AsArray().Any(a => (string?)a!["bundleCode"] == "FIBER-MOBILE-TV"
                && a["subscriptions"]!.AsArray().Any(s => (long)s!["subscriptionId"]! == mobile && (string)s["productCode"]! == "MOBILE-UNLIMITED")),
            "the tree to show the new bundle and product");
        await NewProductChargedAsync(sale.AccountId, mobile, "MOBILE-UNLIMITED", MoveDay(done));
        await using var accounts = await suite.OpenDatabaseAsync(ResourceNames.Account);
        Assert.True(await accounts.ExecuteScalarAsync<bool>(
            "SELECT terms->>'BundleCode' = 'FIBER-MOBILE-TV' AND terms_accepted_at = (SELECT created_at FROM migrations WHERE id = @id) FROM accounts WHERE id = @AccountId",
            new { id = (long)accepted["migrationId"]!, sale.AccountId }), "The terms restart when the bundle migration was accepted.");

        // And a failed one leaves the bundle and the products as they were
        var failed = await (await BundleAsync(sale.AccountId, new { bundleCode = "FIBER-MOBILE", products = new[] { new { subscriptionId = mobile, productCode = "MOBILE-10GB" } } },
            "subscription")).ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("failed", (string)(await EndedAsync((long)failed["migrationId"]!))["status"]!);
        Assert.Equal("FIBER-MOBILE-TV", (string)(await _gateway.GetJsonAsync($"/api/v1/accounts/{sale.AccountId}"))["bundleCode"]!);
        Assert.Equal("MOBILE-UNLIMITED", (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}"))["productCode"]!);
    }

    private async Task<HttpResponseMessage> BundleAsync(long accountId, object body, string? fault = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/accounts/{accountId}/bundle-migrations") { Content = JsonContent.Create(body) };
        if (fault is not null) request.Headers.Add("X-Fault-Step", fault);
        return await _gateway.SendAsync(request);
    }

    /// <summary>Three postpaid accounts of one user: fibre with two mobiles (the second left pending), one mobile, one mobile.</summary>
    private async Task<(SoldSale A, SoldSale B, SoldSale C)> SalesAsync(string dni)
    {
        var a = await _gateway.SellAsync("FIBER-MOBILE", "postpaid", dni,
            new SaleLine("internet", "FIBER-1G"), new SaleLine("mobile", "MOBILE-50GB"), new SaleLine("mobile", "MOBILE-10GB"));
        var others = await Task.WhenAll(
            _gateway.SellAsync("MOBILE-POSTPAID", "postpaid", dni, new SaleLine("mobile", "MOBILE-50GB")),
            _gateway.SellAsync("MOBILE-POSTPAID", "postpaid", dni, new SaleLine("mobile", "MOBILE-10GB")));
        return (a, others[0], others[1]);
    }

    /// <summary>Activates the lines and waits until Account's copy of them says so (the checks of a migration read that copy).</summary>
    private async Task ActivateAsync(params long[] lines)
    {
        await Task.WhenAll(lines.Select(suite.ActivateAsync));
        foreach (var line in lines)
        {
            var accountId = (long)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}"))["accountId"]!;
            await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{accountId}"),
                a => a["subscriptions"]!.AsArray().Any(s => (long)s!["subscriptionId"]! == line && (string)s["status"]! == "active"), $"Account to see line {line} active");
        }
    }

    private async Task<HttpResponseMessage> StartAsync(long subscriptionId, object body, string? fault = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/subscriptions/{subscriptionId}/migrations") { Content = JsonContent.Create(body) };
        if (fault is not null) request.Headers.Add("X-Fault-Step", fault);
        return await _gateway.SendAsync(request);
    }

    private async Task<JsonObject> CompletedAsync(long subscriptionId, object body)
    {
        var response = await StartAsync(subscriptionId, body);
        var accepted = await response.ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal($"/api/v1/migrations/{(long)accepted["migrationId"]!}", response.Headers.Location?.ToString());
        var done = await EndedAsync((long)accepted["migrationId"]!);
        Assert.True((string)done["status"]! == "completed", $"The migration did not complete: {done}");
        return done;
    }

    private async Task<JsonObject> FailedAsync(long subscriptionId, object body, string fault)
    {
        var accepted = await (await StartAsync(subscriptionId, body, fault)).ReadJsonAsync(HttpStatusCode.Accepted);
        var done = await EndedAsync((long)accepted["migrationId"]!);
        Assert.True((string)done["status"]! == "failed", $"The migration did not fail: {done}");
        return done;
    }

    private Task<JsonObject> EndedAsync(long migrationId) =>
        Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/migrations/{migrationId}"), m => (string)m["status"]! != "pending",
            $"migration {migrationId} to end", SuiteFixture.MigrationTimeout + TimeSpan.FromSeconds(30));

    /// <summary>The account views and the tree show the line in <paramref name="holder"/>, not in <paramref name="other"/> (the charges: <see cref="ChargesShowAsync"/>).</summary>
    private async Task ViewsShowAsync(long userId, long line, long holder, long other)
    {
        await Eventually.Until(() => LinesOfAsync(holder), lines => lines.Contains(line), $"account {holder} to show line {line}");
        Assert.DoesNotContain(line, await LinesOfAsync(other));
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/users/{userId}/tree"),
            tree => tree["accounts"]!.AsArray().Any(a => (long)a!["accountId"]! == holder && a["subscriptions"]!.AsArray().Any(s => (long)s!["subscriptionId"]! == line))
                    && tree["accounts"]!.AsArray().All(a => (long)a!["accountId"]! == holder || a["subscriptions"]!.AsArray().All(s => (long)s!["subscriptionId"]! != line)),
            $"the tree to show line {line} in account {holder}");
    }

    private async Task<List<long>> LinesOfAsync(long accountId) =>
        [.. (await _gateway.GetJsonAsync($"/api/v1/accounts/{accountId}"))["subscriptions"]!.AsArray().Select(s => (long)s!["subscriptionId"]!)];

    private async Task<List<long>> AccountsOfAsync(long userId)
    {
        var response = await _gateway.GetAsync($"/api/v1/users/{userId}/accounts?limit=50");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return [.. body.AsArray().Select(a => (long)a!["accountId"]!)];
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await response.ReadJsonAsync(expected);
        return (string?)problem["detail"] ?? "";
    }

    /// <summary>
    /// Billing charges a line's new product from the day after the change: on a month's last day that is the next month,
    /// whose draft Billing shows once its calendar is a day ahead (put back after, and waited for).
    /// </summary>
    private async Task NewProductChargedAsync(long accountId, long line, string product, DateOnly changedOn)
    {
        var nextMonth = changedOn >= MonthEnd();
        if (nextMonth) await suite.MoveCalendarAsync(ResourceNames.Billing, TimeSpan.FromDays(1));
        try
        {
            await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{accountId}/current-charges"),
                charges => charges["lines"]!.AsArray().Any(l => (long?)l!["subscriptionId"] == line && (string?)l["code"] == product),
                $"Billing to charge the line's new product {product}");
        }
        finally
        {
            if (nextMonth)
            {
                await suite.MoveCalendarAsync(ResourceNames.Billing, TimeSpan.Zero);
                await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{accountId}/current-charges"),
                    charges => (string)charges["period"]! == Today().ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
                    "Billing's calendar to be back on today");
            }
        }
    }
}
