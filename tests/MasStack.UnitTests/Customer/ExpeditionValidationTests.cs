using MasStack.Customer.Features.Expedition;

namespace MasStack.UnitTests.Customer;

public class ExpeditionValidationTests
{
    private static readonly ExpeditionRequest Valid = new(
        new AddressInput(" Calle Luna 2 ", "Sevilla", "41001", "Sevilla", null), "Ana Ruiz", "699 000 001", "  Leave it with the concierge ");

    [Fact]
    public void Valid_details_are_normalized()
    {
        var (details, errors) = ExpeditionValidation.Validate(Valid);

        Assert.True(errors.IsEmpty);
        Assert.Equal("Calle Luna 2", details!.Address.Street);
        Assert.Equal("ES", details.Address.Country);
        Assert.Equal("+34699000001", details.ContactPhone);
        Assert.Equal("Leave it with the concierge", details.Notes);
    }

    [Fact]
    public void Every_bad_part_is_named()
    {
        var (details, errors) = ExpeditionValidation.Validate(new ExpeditionRequest(
            new AddressInput("", "Sevilla", "4100", "Sevilla", "PT"), null, "555", new string('x', 501)));

        Assert.Null(details);
        Assert.Equal(
            ["address.country", "address.postalCode", "address.street", "contactName", "contactPhone", "notes"],
            errors.ToDictionary().Keys.Order());
    }

    [Fact]
    public void The_address_is_required()
    {
        var (_, errors) = ExpeditionValidation.Validate(Valid with { Address = null });

        Assert.Contains("address", errors.ToDictionary().Keys);
    }
}
