using MasStack.Platform.Formats;
using Xunit;

namespace MasStack.UnitTests.Formats;

public class IccidTests
{
    [Theory]
    [InlineData("8934010000000000018")]
    [InlineData("89340712345678901234")]
    [InlineData("8934041234567890122")]
    public void IsValid_accepts_spanish_iccids_with_correct_luhn(string value) =>
        Assert.True(Iccid.IsValid(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("8934010000000000017")] // wrong check digit
    [InlineData("89340712345678901235")] // wrong check digit
    [InlineData("8933010000000000010")] // correct Luhn, not Spanish
    [InlineData("893401000000000018")] // 18 digits
    [InlineData("893407123456789012341")] // 21 digits
    [InlineData("893401000000000001A")]
    [InlineData("8934 010000000000018")]
    public void IsValid_rejects_invalid_iccids(string? value) =>
        Assert.False(Iccid.IsValid(value));

    [Theory]
    [InlineData("893401000000000001", '8')]
    [InlineData("7992739871", '3')]
    public void CheckDigit_is_luhn(string payload, char expected) =>
        Assert.Equal(expected, Iccid.CheckDigit(payload));

    [Theory]
    [InlineData("")]
    [InlineData("89340a")]
    public void CheckDigit_rejects_non_digits(string payload) =>
        Assert.Throws<ArgumentException>(() => Iccid.CheckDigit(payload));
}
