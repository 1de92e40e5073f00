using MasStack.Contracts;
using MasStack.Signup.Features.Sales;

namespace MasStack.UnitTests.Signup;

public class SignupValidationTests
{
    private static readonly DateOnly Today = new(2026, 11, 27);

    public static SignupRequest ValidSale() => new(
        SalesChannel.Store, "store-0042", null, PaymentType.Postpaid, "FIBER-MOBILE",
        new CustomerRequest("dni", "12345678z", "Lucía", "García", "Lucia.Garcia@Example.com", "612 345 678",
            new DateOnly(1990, 5, 17), new AddressRequest("Calle Mayor 1", "Madrid", "28013", "Madrid", null), "ES91 2100 0418 4502 0005 1332"),
        [
            new LineRequest(SubscriptionType.Internet, "FIBER-1G", null, null, null),
            new LineRequest(SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.New, "0034 699 000 001", "8934250001000000015", ReservationId: 42),
        ]);

    [Fact]
    public void A_valid_sale_is_normalized()
    {
        var (sale, errors) = SignupValidation.Validate(ValidSale(), Today);

        Assert.True(errors.IsEmpty);
        Assert.NotNull(sale);
        Assert.Equal("12345678Z", sale.Customer.DocumentNumber);
        Assert.Equal("lucia.garcia@example.com", sale.Customer.Email);
        Assert.Equal("+34612345678", sale.Customer.Phone);
        Assert.Equal("ES9121000418450200051332", sale.Customer.Iban);
        Assert.Equal("+34699000001", sale.Lines[1].Number);
    }

    [Fact]
    public void Missing_parts_are_each_named()
    {
        var (sale, errors) = SignupValidation.Validate(new SignupRequest(null, null, null, null, null, null, null), Today);

        Assert.Null(sale);
        Assert.Equal(["bundleCode", "channel", "customer", "lines", "paymentType"], errors.ToDictionary().Keys.Order());
    }

    public static TheoryData<Func<SignupRequest, SignupRequest>, string> BrokenSales => new()
    {
        { s => s with { Customer = s.Customer! with { DocumentNumber = "12345678A" } }, "customer.documentNumber" },
        { s => s with { Customer = s.Customer! with { DocumentType = "licence" } }, "customer.documentType" },
        { s => s with { Customer = s.Customer! with { Email = "not-an-email" } }, "customer.email" },
        { s => s with { Customer = s.Customer! with { Phone = "512345678" } }, "customer.phone" },
        { s => s with { Customer = s.Customer! with { BirthDate = Today.AddYears(-17) } }, "customer.birthDate" },
        { s => s with { Customer = s.Customer! with { Iban = "ES9121000418450200051333" } }, "customer.iban" },
        { s => s with { Customer = s.Customer! with { Iban = null } }, "customer.iban" },
        { s => s with { Customer = s.Customer! with { Address = s.Customer.Address! with { PostalCode = "99999" } } }, "customer.address.postalCode" },
        { s => s with { StoreId = null }, "storeId" },
        { s => s with { Channel = SalesChannel.Online }, "expedition" },
        { s => s with { Lines = [] }, "lines" },
        { s => s with { Lines = [new LineRequest(SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.New, "912345678", null)] }, "lines[0].number" },
        { s => s with { Lines = [new LineRequest(SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.New, "806123456", null)] }, "lines[0].number" },
        { s => s with { Lines = [new LineRequest(SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.New, "612345678", "8934011234567890124")] }, "lines[0].iccid" },
        { s => s with { Lines = [new LineRequest(SubscriptionType.Mobile, null, NumberMode.New, "612345678", null)] }, "lines[0].productCode" },
        { s => s with { Lines = [new LineRequest(SubscriptionType.Tv, "TV-BASIC", null, "612345678", null)] }, "lines[0].number" },
        { s => s with { Lines = [.. s.Lines!, new LineRequest(SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.New, "+34699000001", null)] }, "lines" },
        { s => s with { Lines = [new LineRequest(SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.New, "622000001", "8934250001000000015")] }, "lines[0].reservationId" },
        { s => s with { Lines = [new LineRequest(SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.New, null, null)] }, "lines[0].iccid" },
        { s => s with { Lines = [new LineRequest(SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.New, null, "8934250001000000016")] }, "lines[0].iccid" },
        { s => s with { Lines = [new LineRequest(SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.Portability, "612345678", "8934250001000000015")] }, "lines[0].donorOperator" },
        { s => s with { Lines = [new LineRequest(SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.Portability, null, "8934250001000000015", DonorOperator: "movistar")] }, "lines[0].number" },
        { s => s with { PaymentType = PaymentType.Prepaid, Lines = [new LineRequest(SubscriptionType.Mobile, "PREPAID-5GB", NumberMode.Portability, "612345678", "8934250001000000015", DonorOperator: "movistar")] }, "lines[0].donorIccid" },
        { s => s with { Lines = [new LineRequest(SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.New, null, "8934250001000000015", Network: "masmovil-fixed")] }, "lines[0].network" },
    };

    [Theory]
    [MemberData(nameof(BrokenSales))]
    public void A_broken_field_is_refused_by_name(Func<SignupRequest, SignupRequest> breakIt, string field)
    {
        var (sale, errors) = SignupValidation.Validate(breakIt(ValidSale()), Today);

        Assert.Null(sale);
        Assert.Contains(field, errors.ToDictionary().Keys);
    }

    [Fact]
    public void An_online_sale_may_leave_out_the_number_and_the_sim()
    {
        var request = ValidSale() with
        {
            Channel = SalesChannel.Online, StoreId = null,
            Expedition = new ExpeditionRequest(new AddressRequest("Calle Mayor 1", "Madrid", "28013", "Madrid", null), "Lucía", null, null),
            Lines = [new LineRequest(SubscriptionType.Internet, "FIBER-1G", null, null, null), new LineRequest(SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.New, null, null)],
        };

        Assert.True(SignupValidation.Validate(request, Today).Errors.IsEmpty);
    }

    [Fact]
    public void A_customer_who_turns_eighteen_today_may_buy()
    {
        var request = ValidSale();
        request = request with { Customer = request.Customer! with { BirthDate = Today.AddYears(-18) } };

        Assert.True(SignupValidation.Validate(request, Today).Errors.IsEmpty);
    }
}
