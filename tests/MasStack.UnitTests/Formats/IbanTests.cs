using MasStack.Platform.Formats;
using Xunit;

namespace MasStack.UnitTests.Formats;

public class IbanTests
{
    [Theory]
    [InlineData("ES9121000418450200051332", "ES9121000418450200051332")]
    [InlineData("es91 2100 0418 4502 0005 1332", "ES9121000418450200051332")]
    [InlineData(" ES91 2100 0418 4502 0005 1332 ", "ES9121000418450200051332")]
    [InlineData("GB82WEST12345698765432", "GB82WEST12345698765432")]
    [InlineData("DE89 3704 0044 0532 0130 00", "DE89370400440532013000")]
    public void Normalize_accepts_valid_ibans(string input, string expected) =>
        Assert.Equal(expected, Iban.Normalize(input));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ES9121000418450200051333")] // checksum wrong
    [InlineData("ES9221000418450200051332")] // check digits wrong
    [InlineData("ES912100041845020005133")] // too short for ES
    [InlineData("ES91210004184502000513321")] // too long for ES
    [InlineData("ES91210004184502000513AB")] // ES is all digits
    [InlineData("ES91-2100-0418-4502-0005-1332")]
    [InlineData("9121000418450200051332ES")]
    [InlineData("GB82WEST12345698765433")]
    public void Normalize_rejects_invalid_ibans(string? input) =>
        Assert.Null(Iban.Normalize(input));

    [Theory]
    [InlineData("ES9121000418450200051332", "ES** **** **** **** **** 1332")]
    [InlineData("GB82WEST12345698765432", "GB** **** **** **** **54 32")]
    public void Mask_keeps_country_and_last_four(string iban, string expected) =>
        Assert.Equal(expected, Iban.Mask(iban));
}
