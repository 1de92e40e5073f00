using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Migrations;

/// <summary>
/// The four kinds that change a line's payment type, and the money they move (issue 14, point 3): the leaving postpaid
/// account pays the line's fee up to the day of the move and the target from the day after; a prepaid balance closed on the
/// way to postpaid is credited on the target's invoice; one is opened (at zero) on the way to prepaid. Every amount is
/// computed from the catalogue's prices and today's date. A failure leaves every view — balance and charges included — as it was.
/// </summary>
public partial class MigrationTests
{
    private const string Iban = "ES7921000813610123456789", Holder = "Lucía García Pérez";

    [Fact]
    public async Task A_prepaid_line_moving_to_postpaid_closes_its_balance_and_what_was_left_is_credited_on_the_target_s_invoice()
    {
        // Given a user with a prepaid line recharged to 5.00 + 12.34, a second prepaid line, and a postpaid account
        var dni = Sales.NewDni();
        var (prepaid, secondPrepaid, postpaid) = await PrepaidAndPostpaidAsync(dni);
        var (line, second) = (prepaid.Lines[0].SubscriptionId, secondPrepaid.Lines[0].SubscriptionId);
        await ActivateAsync(line, second);
        await RechargeAsync(line, 12.34m);
        var left = await BalanceAsync(line);
        Assert.Equal(17.34m, left);

        // When it moves to the existing postpaid account (its prepaid tariff mapped to the bundle's first, MOBILE-10GB)
        var moved = await CompletedAsync(line, new { targetAccountId = postpaid.AccountId });
        Assert.Equal("prepaid-to-existing-postpaid", (string)moved["kind"]!);
        Assert.Equal(["consumption", "subscription"], moved["steps"]!.AsObject().Select(s => s.Key).Order());

        // Then the line is postpaid in the target with the mapped product, its balance is gone, and the target is charged the
        // new product from the day after the move and credited exactly what was left on the balance
        var subscription = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}");
        Assert.Equal((postpaid.AccountId, "MOBILE-10GB"), ((long)subscription["accountId"]!, (string)subscription["productCode"]!));
        await ViewsShowAsync(prepaid.UserId, line, postpaid.AccountId, prepaid.AccountId);
        await Eventually.Until(async () => (await _gateway.GetAsync($"/api/v1/subscriptions/{line}/balance")).StatusCode,
            s => s == HttpStatusCode.Conflict, "the prepaid balance to close");
        var day = MoveDay(moved);
        await ChargesShowAsync(postpaid.AccountId, line, [.. await FeesAfterAsync("MOBILE-10GB", day), Credit(left)]);
        var charges = await _gateway.GetJsonAsync($"/api/v1/accounts/{postpaid.AccountId}/current-charges");
        Assert.Equal(charges["lines"]!.AsArray().Sum(l => (decimal)l!["amount"]!["amount"]!), (decimal)charges["total"]!["amount"]!);

        // And the prepaid account it left, without lines, is closed
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{prepaid.AccountId}"), a => (string)a["status"]! == "closed",
            "the prepaid account left without lines to close");

        // When the other prepaid line moves to a new postpaid account without naming the holder of its bank account: 400
        await (await StartAsync(second, new { newAccount = new { paymentType = "postpaid", bundleCode = "MOBILE-POSTPAID", iban = Iban } }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "newAccount.holder");

        // When it moves to a new postpaid account, asking for MOBILE-50GB
        var opened = await CompletedAsync(second, new
        {
            newAccount = new { paymentType = "postpaid", bundleCode = "MOBILE-POSTPAID", iban = Iban, holder = Holder }, productCode = "MOBILE-50GB",
        });
        Assert.Equal("prepaid-to-new-postpaid", (string)opened["kind"]!);
        Assert.Equal(["billing", "consumption", "subscription"], opened["steps"]!.AsObject().Select(s => s.Key).Order());

        // Then the new account is charged MOBILE-50GB from the day after and credited the welcome credit left on it
        var target = (long)opened["targetAccountId"]!;
        Assert.Equal("MOBILE-50GB", (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{second}"))["productCode"]!);
        await ChargesShowAsync(target, second, [.. await FeesAfterAsync("MOBILE-50GB", MoveDay(opened)), Credit(await InitialCreditAsync("PREPAID-5GB"))]);
        var payment = await _gateway.GetJsonAsync($"/api/v1/accounts/{target}/payment-info");
        Assert.Equal(Holder, (string)payment["holder"]!);
        Assert.EndsWith("6789", (string)payment["iban"]!);
    }

    [Fact]
    public async Task A_postpaid_line_moving_to_prepaid_pays_its_fee_to_the_day_of_the_move_and_opens_a_balance_at_zero()
    {
        // Given a user with two postpaid mobiles and a prepaid family account (room for more lines)
        var dni = Sales.NewDni();
        var postpaid = await _gateway.SellAsync("MOBILE-POSTPAID", "postpaid", dni, new SaleLine("mobile", "MOBILE-50GB"), new SaleLine("mobile", "MOBILE-10GB"));
        var family = await _gateway.SellAsync("MOBILE-PREPAID-FAMILY", "prepaid", dni, new SaleLine("mobile", "PREPAID-20GB"));
        var (first, second) = (postpaid.Lines[0].SubscriptionId, postpaid.Lines[1].SubscriptionId);
        await ActivateAsync(first, second, family.Lines[0].SubscriptionId);

        // When one moves to the existing prepaid account
        var moved = await CompletedAsync(first, new { targetAccountId = family.AccountId });
        Assert.Equal("postpaid-to-existing-prepaid", (string)moved["kind"]!);
        Assert.Equal(["consumption", "subscription"], moved["steps"]!.AsObject().Select(s => s.Key).Order());

        // Then it is prepaid there with the bundle's first prepaid tariff and a balance of zero, and the postpaid account it left
        // is charged its fee from its activation to the day of the move
        Assert.Equal("PREPAID-5GB", (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{first}"))["productCode"]!);
        await ViewsShowAsync(postpaid.UserId, first, family.AccountId, postpaid.AccountId);
        Assert.Equal(0.00m, await Eventually.Until(() => BalanceOrNullAsync(first), b => b is not null, "the prepaid balance to open"));
        var day = MoveDay(moved);
        await ChargesShowAsync(postpaid.AccountId, first, [await FeeAsync("MOBILE-50GB", Today(), day)]);
        // (the balance takes recharges once Consumption has heard the migration completed)
        await Eventually.Until(() => TryRechargeAsync(first, 5m), status => status == HttpStatusCode.Created, "a recharge of the migrated line to be taken");
        Assert.Equal(5.00m, await BalanceAsync(first));

        // When the other moves to a new prepaid account
        var opened = await CompletedAsync(second, new { newAccount = new { paymentType = "prepaid", bundleCode = "MOBILE-PREPAID" } });
        Assert.Equal("postpaid-to-new-prepaid", (string)opened["kind"]!);
        Assert.Equal(["billing", "consumption", "subscription"], opened["steps"]!.AsObject().Select(s => s.Key).Order());

        // Then it too has a balance of zero and the postpaid account pays its fee up to the day of the move; the account, left
        // without lines, is closed
        Assert.Equal(0.00m, await Eventually.Until(() => BalanceOrNullAsync(second), b => b is not null, "the prepaid balance to open"));
        await ChargesShowAsync(postpaid.AccountId, second, [await FeeAsync("MOBILE-10GB", Today(), MoveDay(opened))]);
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{postpaid.AccountId}"), a => (string)a["status"]! == "closed",
            "the postpaid account left without lines to close");
    }

    [Fact]
    public async Task A_failure_at_any_step_of_a_change_of_payment_type_leaves_balance_charges_product_and_account_as_they_were()
    {
        // Given four users, each with a prepaid line (recharged) and a postpaid line, and a prepaid family account
        var users = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            var dni = Sales.NewDni();
            var prepaid = await _gateway.SellAsync("MOBILE-PREPAID", "prepaid", dni, new SaleLine("mobile", "PREPAID-5GB"));
            var postpaid = await _gateway.SellAsync("MOBILE-POSTPAID", "postpaid", dni, new SaleLine("mobile", "MOBILE-50GB"));
            var family = await _gateway.SellAsync("MOBILE-PREPAID-FAMILY", "prepaid", dni, new SaleLine("mobile", "PREPAID-20GB"));
            return (Prepaid: prepaid, Postpaid: postpaid, Family: family);
        }));
        await ActivateAsync([.. users.SelectMany(u => new[] { u.Prepaid.Lines[0].SubscriptionId, u.Postpaid.Lines[0].SubscriptionId })]);
        await Task.WhenAll(users.Select(u => RechargeAsync(u.Prepaid.Lines[0].SubscriptionId, 7.77m)));

        // When Consumption fails its step (both ways), when Billing fails after Consumption closed the balance, and when
        // Subscription fails after Consumption opened one
        var cases = new (long Line, string Product, long Source, long[] Accounts, object Target, string Fault)[]
        {
            (users[0].Prepaid.Lines[0].SubscriptionId, "PREPAID-5GB", users[0].Prepaid.AccountId, AccountsOf(users[0]),
                new { targetAccountId = users[0].Postpaid.AccountId }, "consumption"),
            (users[1].Postpaid.Lines[0].SubscriptionId, "MOBILE-50GB", users[1].Postpaid.AccountId, AccountsOf(users[1]),
                new { targetAccountId = users[1].Family.AccountId }, "consumption"),
            (users[2].Prepaid.Lines[0].SubscriptionId, "PREPAID-5GB", users[2].Prepaid.AccountId, AccountsOf(users[2]),
                new { newAccount = new { paymentType = "postpaid", bundleCode = "MOBILE-POSTPAID", iban = Iban, holder = Holder } }, "billing"),
            (users[3].Postpaid.Lines[0].SubscriptionId, "MOBILE-50GB", users[3].Postpaid.AccountId, AccountsOf(users[3]),
                new { targetAccountId = users[3].Family.AccountId }, "subscription"),
        };
        foreach (var c in cases) await ChargesShowAsync(c.Source, c.Line, [await FeeAsync(c.Product, Today(), MonthEnd())]);
        var before = await Task.WhenAll(cases.Select(c => ViewsOfAsync(c.Line, c.Accounts)));
        var failed = await Task.WhenAll(cases.Select(c => FailedAsync(c.Line, c.Target, c.Fault)));

        // Then each failed for its step, and every view of the line — its account and product, its balance, its charges in
        // each of the user's accounts — is exactly as before; no account opened for it remains
        for (var i = 0; i < cases.Length; i++)
        {
            Assert.Contains($"The {cases[i].Fault} step failed", (string)failed[i]["reason"]!);
            var (c, expected) = (cases[i], before[i]);
            await Eventually.Until(() => ViewsOfAsync(c.Line, c.Accounts), now => now == expected, $"every view of line {c.Line} to be as before: {expected}");
            if ((bool)failed[i]["newAccount"]!)
                await ChargesShowAsync((long)failed[i]["targetAccountId"]!, c.Line, [NoAccount]);
        }
        Assert.Equal(await InitialCreditAsync("PREPAID-5GB") + 7.77m, await BalanceAsync(users[0].Prepaid.Lines[0].SubscriptionId));

        // And each participant that may have acted (Consumption too) confirmed its undo
        foreach (var f in failed)
        {
            var undo = (await UndoEndedAsync((long)f["migrationId"]!))["undo"]!.AsObject();
            Assert.Equal(["billing", "consumption", "subscription"], undo.Select(s => s.Key).Order());
            Assert.All(undo, s => Assert.Equal("undone", (string)s.Value!));
        }
    }

    [Fact]
    public async Task A_balance_a_pending_migration_opened_takes_no_recharge_and_a_failed_migration_takes_it_away_with_nothing_lost()
    {
        // Given a postpaid line moving to a prepaid account, its migration pending (Subscription never answers)
        var dni = Sales.NewDni();
        var postpaid = await _gateway.SellAsync("MOBILE-POSTPAID", "postpaid", dni, new SaleLine("mobile", "MOBILE-50GB"));
        var family = await _gateway.SellAsync("MOBILE-PREPAID-FAMILY", "prepaid", dni, new SaleLine("mobile", "PREPAID-20GB"));
        var line = postpaid.Lines[0].SubscriptionId;
        await ActivateAsync(line, family.Lines[0].SubscriptionId);
        var accepted = await (await StartAsync(line, new { targetAccountId = family.AccountId }, "subscription:silent")).ReadJsonAsync(HttpStatusCode.Accepted);

        // When Consumption has opened the line's balance, a recharge is refused: the migration may still fail
        Assert.Equal(0.00m, await Eventually.Until(() => BalanceOrNullAsync(line), b => b is not null, "the migration to open a balance"));
        var refused = await (await RechargeResponseAsync(line, 10m)).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("migrating to prepaid", (string)refused["detail"]!);

        // Then the migration fails at its deadline, the line is postpaid again, and no money was taken that it took away
        var failed = await EndedAsync((long)accepted["migrationId"]!);
        Assert.Equal("failed", (string)failed["status"]!);
        await Eventually.Until(() => BalanceOrNullAsync(line), b => b is null, "the opened balance to go with the undo");
        await using var consumptionDb = await suite.OpenDatabaseAsync(ResourceNames.Consumption);
        Assert.Equal(0, await consumptionDb.ExecuteScalarAsync<long>("SELECT count(*) FROM recharges WHERE subscription_id = @line", new { line }));
    }

    private static long[] AccountsOf((SoldSale Prepaid, SoldSale Postpaid, SoldSale Family) user) =>
        [user.Prepaid.AccountId, user.Postpaid.AccountId, user.Family.AccountId];

    /// <summary>Everything a line's migration may change, as one string: its account, product, balance, and its charges in each account.</summary>
    private async Task<string> ViewsOfAsync(long line, long[] accounts)
    {
        var subscription = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}");
        var balance = await BalanceOrNullAsync(line);
        var charges = new List<string>();
        foreach (var account in accounts)
            charges.Add($"{account}: {string.Join(", ", await ChargesOfAsync(account, line))}");
        return $"account {subscription["accountId"]}, product {subscription["productCode"]}, balance {balance?.ToString("0.00", CultureInfo.InvariantCulture) ?? "none"}; {string.Join("; ", charges)}";
    }

    /// <summary>A prepaid account and a second one, and a postpaid account, of one user.</summary>
    private async Task<(SoldSale Prepaid, SoldSale SecondPrepaid, SoldSale Postpaid)> PrepaidAndPostpaidAsync(string dni)
    {
        var sales = await Task.WhenAll(
            _gateway.SellAsync("MOBILE-PREPAID", "prepaid", dni, new SaleLine("mobile", "PREPAID-5GB")),
            _gateway.SellAsync("MOBILE-PREPAID", "prepaid", dni, new SaleLine("mobile", "PREPAID-5GB")),
            _gateway.SellAsync("MOBILE-POSTPAID", "postpaid", dni, new SaleLine("mobile", "MOBILE-50GB")));
        return (sales[0], sales[1], sales[2]);
    }

    private async Task RechargeAsync(long line, decimal amount) => Assert.Equal(HttpStatusCode.Created, await TryRechargeAsync(line, amount));

    private async Task<HttpStatusCode> TryRechargeAsync(long line, decimal amount) => (await RechargeResponseAsync(line, amount)).StatusCode;

    private async Task<HttpResponseMessage> RechargeResponseAsync(long line, decimal amount)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/subscriptions/{line}/recharges")
        {
            Content = JsonContent.Create(new { amount = new { amount, currency = "EUR" }, method = "card" }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return await _gateway.SendAsync(request);
    }

    private async Task<decimal> BalanceAsync(long line) => (decimal)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}/balance"))["balance"]!["amount"]!;

    private async Task<decimal?> BalanceOrNullAsync(long line)
    {
        var response = await _gateway.GetAsync($"/api/v1/subscriptions/{line}/balance");
        if (response.StatusCode == HttpStatusCode.Conflict) return null;
        return (decimal)(await response.ReadJsonAsync(HttpStatusCode.OK))["balance"]!["amount"]!;
    }

    private async Task<decimal> InitialCreditAsync(string product) =>
        (decimal)(await _gateway.GetJsonAsync($"/api/v1/catalogue/products/{product}"))["initialCredit"]!["amount"]!;

    private static readonly TimeZoneInfo Madrid = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");

    /// <summary>Today as Billing counts days (Spain's peninsula time): the tests activate their lines today.</summary>
    private static DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Madrid).DateTime);

    private static DateOnly MonthEnd() => new DateOnly(Today().Year, Today().Month, 1).AddMonths(1).AddDays(-1);

    /// <summary>The day the line moved: the day the migration ended (its steps ran then).</summary>
    private static DateOnly MoveDay(JsonObject migration) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.Parse((string)migration["endedAt"]!, CultureInfo.InvariantCulture), Madrid).DateTime);

    /// <summary>The fee line of <paramref name="product"/> from <paramref name="from"/> to <paramref name="to"/>, prorated from the catalogue's price.</summary>
    private async Task<string> FeeAsync(string product, DateOnly from, DateOnly to)
    {
        var monthly = (decimal)(await _gateway.GetJsonAsync($"/api/v1/catalogue/products/{product}"))["monthlyFee"]!["amount"]!;
        var days = to.DayNumber - from.DayNumber + 1;
        var amount = Math.Round(monthly * days / DateTime.DaysInMonth(from.Year, from.Month), 2, MidpointRounding.AwayFromZero);
        return Charge("fee", product, days, amount);
    }

    /// <summary>The target's fee from the day after the move to the month's end: none when the move was on its last day.</summary>
    private async Task<string[]> FeesAfterAsync(string product, DateOnly moveDay) =>
        moveDay >= MonthEnd() ? [] : [await FeeAsync(product, moveDay.AddDays(1), MonthEnd())];

    private static string Credit(decimal amount) => Charge("credit", null, null, -amount);

    private static string Charge(string kind, string? code, int? days, decimal amount) =>
        string.Create(CultureInfo.InvariantCulture, $"{kind} {code} {days} {amount:0.00}");

    /// <summary>What the charges of an account Billing does not know (any more) show.</summary>
    private const string NoAccount = "no account";

    private async Task<List<string>> ChargesOfAsync(long accountId, long line)
    {
        var response = await _gateway.GetAsync($"/api/v1/accounts/{accountId}/current-charges");
        if (response.StatusCode == HttpStatusCode.NotFound) return [NoAccount];
        var charges = await response.ReadJsonAsync(HttpStatusCode.OK);
        return [.. charges["lines"]!.AsArray().Where(l => (long?)l!["subscriptionId"] == line)
            .Select(l => Charge((string)l!["kind"]!, (string?)l["code"], (int?)l["days"], (decimal)l["amount"]!["amount"]!)).Order()];
    }

    /// <summary>The account's current charges for the line are exactly <paramref name="expected"/> (none: it never held it this month).</summary>
    private Task ChargesShowAsync(long accountId, long line, string[] expected) =>
        Eventually.Until(async () => string.Join(", ", await ChargesOfAsync(accountId, line)), c => c == string.Join(", ", expected.Order()),
            $"account {accountId}'s charges for line {line} to be [{string.Join(", ", expected)}]");

    /// <summary>A move between postpaid accounts today: the source pays the line's fee for today, the target from tomorrow.</summary>
    private async Task MovedChargesAsync(JsonObject migration, string sourceProduct, string targetProduct)
    {
        var (line, day) = ((long)migration["subscriptionId"]!, MoveDay(migration));
        await ChargesShowAsync((long)migration["sourceAccountId"]!, line, [await FeeAsync(sourceProduct, Today(), day)]);
        await ChargesShowAsync((long)migration["targetAccountId"]!, line, await FeesAfterAsync(targetProduct, day));
    }
}
