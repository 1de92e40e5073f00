using System.Text.Json.Nodes;
using MasStack.Contracts;
using MasStack.Customer.Features.Users;

namespace MasStack.UnitTests.Customer;

public class UserPatchTests
{
    private static readonly DateOnly Today = new(2026, 11, 27);

    private static readonly UserData Lucia = new(
        "dni", "12345678Z", "Lucía", "García", "lucia@example.com", "+34612345678", new DateOnly(1990, 5, 17),
        new PostalAddress("Calle Mayor 1", "Madrid", "28013", "Madrid", "ES"));

    private static UserPatchOutcome Apply(string patch) => UserPatch.Apply(Lucia, JsonNode.Parse(patch)!.AsObject(), Today);

    [Fact]
    public void Only_the_named_fields_change_and_each_is_normalized()
    {
        var outcome = Apply("""{"email":" Lucia.New@Example.COM ","phone":"0034 699 000 001","address":{"postalCode":"08001","city":"Barcelona","province":"Barcelona"}}""");

        Assert.True(outcome.Errors.IsEmpty);
        Assert.Equal("lucia.new@example.com", outcome.Updated!.Email);
        Assert.Equal("+34699000001", outcome.Updated.Phone);
        Assert.Equal(new PostalAddress("Calle Mayor 1", "Barcelona", "08001", "Barcelona", "ES"), outcome.Updated.Address);
        Assert.Equal("Lucía", outcome.Updated.FirstName);
        Assert.Equal(["address", "email", "phone"], outcome.Changes.Keys.Order());
        Assert.Equal("lucia@example.com", outcome.Changes["email"].From);
    }

    [Fact]
    public void An_empty_patch_or_the_same_values_change_nothing()
    {
        Assert.Empty(Apply("{}").Changes);
        Assert.Empty(Apply("""{"firstName":"Lucía","email":"LUCIA@example.com","documentNumber":"12345678-z"}""").Changes);
    }

    [Theory]
    [InlineData("""{"email":"not-an-email"}""", "email")]
    [InlineData("""{"phone":"12345"}""", "phone")]
    [InlineData("""{"phone":"+33612345678"}""", "phone")]
    [InlineData("""{"firstName":"  "}""", "firstName")]
    [InlineData("""{"lastName":null}""", "lastName")]
    [InlineData("""{"firstName":42}""", "firstName")]
    [InlineData("""{"birthDate":"17/05/1990"}""", "birthDate")]
    [InlineData("""{"birthDate":"2015-01-01"}""", "birthDate")]
    [InlineData("""{"address":null}""", "address")]
    [InlineData("""{"address":{"postalCode":"99999"}}""", "address.postalCode")]
    [InlineData("""{"address":{"country":"FR"}}""", "address.country")]
    [InlineData("""{"address":{"street":null}}""", "address.street")]
    [InlineData("""{"userId":1}""", "userId")]
    [InlineData("""{"createdAt":"2026-01-01T00:00:00Z"}""", "createdAt")]
    [InlineData("""{"bankAccount":"ES91 2100 0418 4502 0005 1332"}""", "bankAccount")]
    public void A_bad_field_is_named(string patch, string field)
    {
        var outcome = Apply(patch);

        Assert.Null(outcome.Updated);
        Assert.Contains(field, outcome.Errors.ToDictionary().Keys);
    }

    [Theory]
    [InlineData("""{"documentNumber":"87654321X"}""")]
    [InlineData("""{"documentType":"nie"}""")]
    public void The_identity_document_cannot_change(string patch)
    {
        var outcome = Apply(patch);

        Assert.True(outcome.Errors.IsEmpty);
        Assert.Null(outcome.Updated);
        Assert.NotNull(outcome.RefusedBecause);
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        var outcome = Apply("""{"nickname":"Lu","firstName":"Lucía María"}""");

        Assert.Equal(["firstName"], outcome.Changes.Keys);
    }
}
