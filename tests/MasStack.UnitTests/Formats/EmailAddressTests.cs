using MasStack.Platform.Formats;
using Xunit;

namespace MasStack.UnitTests.Formats;

public class EmailAddressTests
{
    [Theory]
    [InlineData("ana@example.com", "ana@example.com")]
    [InlineData(" Ana.Garcia@Example.COM ", "ana.garcia@example.com")]
    [InlineData("ana+facturas@mail.example.es", "ana+facturas@mail.example.es")]
    public void Normalize_accepts_valid_addresses(string input, string expected) =>
        Assert.Equal(expected, EmailAddress.Normalize(input));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ana")]
    [InlineData("ana@")]
    [InlineData("@example.com")]
    [InlineData("ana@example")]
    [InlineData("ana@@example.com")]
    [InlineData("ana@b@example.com")]
    [InlineData("ana garcia@example.com")]
    [InlineData("Ana <ana@example.com>")]
    [InlineData("ana@.example.com")]
    [InlineData("ana@example.com.")]
    public void Normalize_rejects_invalid_addresses(string? input) =>
        Assert.Null(EmailAddress.Normalize(input));

    [Fact]
    public void Normalize_enforces_the_254_character_limit()
    {
        var local = new string('a', 64);
        var longest = $"{local}@{new string('b', 186)}.es";
        Assert.Equal(254, longest.Length);

        Assert.Equal(longest, EmailAddress.Normalize(longest));
        Assert.Null(EmailAddress.Normalize($"{local}@{new string('b', 187)}.es"));
    }
}
