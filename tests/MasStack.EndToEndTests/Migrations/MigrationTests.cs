using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;

namespace MasStack.EndToEndTests.Migrations;

/// <summary>
/// Moving a line to another account of its user (issue 14): Account's saga, each view following, one migration at a time,
/// and all or nothing — a step made to fail (the test-only <c>X-Fault-Step</c>, honoured because the suite runs with
/// <c>Faults:Migrations</c>) or never answering leaves every view as it was.
/// </summary>
[Collection(SuiteCollection.Name)]
public class MigrationTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task A_line_moves_to_an_existing_or_a_new_account_of_its_user_and_every_view_follows()
    {
        // Given a user with three postpaid accounts: fibre and two mobiles, one mobile, one mobile
        var dni = Sales.NewDni();
        var (a, b, c) = await SalesAsync(dni);
        var (m1, m2, cLine) = (a.Lines[1].SubscriptionId, a.Lines[2].SubscriptionId, c.Lines[0].SubscriptionId);
        await Task.WhenAll(suite.ActivateAsync(m1), suite.ActivateAsync(m2), suite.ActivateAsync(cLine));

        // When one mobile moves to the existing mobile account
        var moved = await CompletedAsync(m1, new { targetAccountId = b.AccountId });
        Assert.Equal("to-existing-account", (string)moved["kind"]!);
        Assert.Equal((a.AccountId, b.AccountId), ((long)moved["sourceAccountId"]!, (long)moved["targetAccountId"]!));
        Assert.Equal("completed", (string)moved["steps"]!["subscription"]!);

        // Then the line keeps its id in the target: the subscription, both accounts, the tree, the charges and the barrings say so
        Assert.Equal(b.AccountId, (long)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{m1}"))["accountId"]!);
        await ViewsShowAsync(a.UserId, m1, b.AccountId, a.AccountId);
        Assert.Equal(m1, (long)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{m1}/barrings"))["subscriptionId"]!);

        // When the other moves to a new postpaid account opened for it, with its IBAN
        var opened = await CompletedAsync(m2, new { newAccount = new { paymentType = "postpaid", bundleCode = "MOBILE-POSTPAID", iban = "ES7921000813610123456789" } });
        Assert.Equal("to-new-account", (string)opened["kind"]!);
        var newAccount = (long)opened["targetAccountId"]!;
        Assert.True((bool)opened["newAccount"]!);
        Assert.Equal(["billing", "subscription"], opened["steps"]!.AsObject().Select(s => s.Key).Order());

        // Then the new account is the user's, with the line, and Billing charges it by direct debit to that IBAN, holder the source's
        await ViewsShowAsync(a.UserId, m2, newAccount, a.AccountId);
        var account = await _gateway.GetJsonAsync($"/api/v1/accounts/{newAccount}");
        Assert.Equal(("MOBILE-POSTPAID", "active"), ((string)account["bundleCode"]!, (string)account["status"]!));
        var payment = await _gateway.GetJsonAsync($"/api/v1/accounts/{newAccount}/payment-info");
        Assert.Equal("Lucía García Pérez", (string)payment["holder"]!);
        Assert.EndsWith("6789", (string)payment["iban"]!);

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
        await suite.ActivateAsync(mobile);

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
        Assert.Contains("postpaid-to-new-prepaid", await DetailAsync(
            await StartAsync(mobile, new { newAccount = new { paymentType = "prepaid", bundleCode = "MOBILE-PREPAID" } }), HttpStatusCode.NotImplemented));
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
        await Task.WhenAll(sales.Select(s => suite.ActivateAsync(s.A.Lines[1].SubscriptionId)));
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
            Assert.Equal(new[] { sale.AccountId, sales[i].B.AccountId, sales[i].C.AccountId }.Order(), (await AccountsOfAsync(sale.UserId)).Order());
            if ((bool)failed[i]["newAccount"]!)
            {
                var opened = (long)failed[i]["targetAccountId"]!;
                Assert.Equal(HttpStatusCode.NotFound, (await _gateway.GetAsync($"/api/v1/accounts/{opened}")).StatusCode);
                await Eventually.Until(async () => (await _gateway.GetAsync($"/api/v1/accounts/{opened}/payment-info")).StatusCode,
                    s => s == HttpStatusCode.NotFound, "Billing to drop the account it opened");
            }
        }
        // And the line can migrate again
        await CompletedAsync(sales[0].A.Lines[1].SubscriptionId, new { targetAccountId = sales[0].B.AccountId });
    }

    [Fact]
    public async Task Two_migrations_of_one_line_at_once_one_is_accepted_the_other_409()
    {
        var (a, b, c) = await SalesAsync(Sales.NewDni());
        var (line, cLine) = (a.Lines[1].SubscriptionId, c.Lines[0].SubscriptionId);
        await Task.WhenAll(suite.ActivateAsync(line), suite.ActivateAsync(cLine));

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

    /// <summary>The account views, the tree and the current charges show the line in <paramref name="holder"/>, not in <paramref name="other"/>.</summary>
    private async Task ViewsShowAsync(long userId, long line, long holder, long other)
    {
        await Eventually.Until(() => LinesOfAsync(holder), lines => lines.Contains(line), $"account {holder} to show line {line}");
        Assert.DoesNotContain(line, await LinesOfAsync(other));
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/users/{userId}/tree"),
            tree => tree["accounts"]!.AsArray().Any(a => (long)a!["accountId"]! == holder && a["subscriptions"]!.AsArray().Any(s => (long)s!["subscriptionId"]! == line))
                    && tree["accounts"]!.AsArray().All(a => (long)a!["accountId"]! == holder || a["subscriptions"]!.AsArray().All(s => (long)s!["subscriptionId"]! != line)),
            $"the tree to show line {line} in account {holder}");
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{holder}/current-charges"),
            charges => charges["lines"]!.AsArray().Any(l => (long?)l!["subscriptionId"] == line), $"account {holder}'s charges to hold line {line}");
        Assert.DoesNotContain((await _gateway.GetJsonAsync($"/api/v1/accounts/{other}/current-charges"))["lines"]!.AsArray(),
            l => (long?)l!["subscriptionId"] == line);
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
}
