using MasStack.Contracts;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using MasStack.Signup.Features.MasterData;

namespace MasStack.Signup.Features.Sales;

/// <summary>A sale that passed validation, with every value normalized (E.164 numbers, upper-case documents, …).</summary>
public sealed record ValidSale(
    SalesChannel Channel,
    PaymentType PaymentType,
    string BundleCode,
    SignupCustomer Customer,
    IReadOnlyList<ValidLine> Lines);

public sealed record ValidLine(
    SubscriptionType Type, string ProductCode, NumberMode? NumberMode, string? Number, string? Iccid,
    long? ReservationId = null, string? Network = null, string? DonorOperator = null, string? DonorIccid = null);

/// <summary>The format and presence rules of a sale: pure, so every rule has a fast unit test.</summary>
public static class SignupValidation
{
    public const int AdultAge = 18;
    public const int MaxLines = 10;

    public static (ValidSale? Sale, ValidationErrors Errors) Validate(SignupRequest request, DateOnly today)
    {
        var errors = new ValidationErrors();
        if (errors.Required("channel", request.Channel))
        {
            if (request.Channel == SalesChannel.Store) errors.Required("storeId", request.StoreId);
            if (request.Channel == SalesChannel.Online && errors.Required("expedition", request.Expedition))
                ValidateAddress(errors, "expedition.address", request.Expedition!.Address);
        }
        errors.Required("paymentType", request.PaymentType);
        errors.Required("bundleCode", request.BundleCode);
        var customer = errors.Required("customer", request.Customer)
            ? ValidateCustomer(errors, request.Customer!, request.PaymentType, today)
            : null;
        var lines = ValidateLines(errors, request.Lines, request.Channel, request.PaymentType);

        if (!errors.IsEmpty) return (null, errors);
        return (new ValidSale(request.Channel!.Value, request.PaymentType!.Value, request.BundleCode!.Trim(), customer!, lines), errors);
    }

    private static SignupCustomer? ValidateCustomer(ValidationErrors errors, CustomerRequest c, PaymentType? paymentType, DateOnly today)
    {
        string? document = null;
        if (errors.Required("customer.documentType", c.DocumentType))
        {
            if (!IdentityDocument.TryParseType(c.DocumentType, out var type))
                errors.Add("customer.documentType", "One of dni, nie, passport, cif.");
            else if (errors.Required("customer.documentNumber", c.DocumentNumber)
                     && (document = IdentityDocument.Normalize(type, c.DocumentNumber)) is null)
                errors.Add("customer.documentNumber", $"Not a valid {c.DocumentType!.Trim().ToLowerInvariant()} number.");
        }
        errors.Required("customer.firstName", c.FirstName);
        errors.Required("customer.lastName", c.LastName);

        string? email = null;
        if (errors.Required("customer.email", c.Email) && (email = EmailAddress.Normalize(c.Email)) is null)
            errors.Add("customer.email", "Not a valid email address.");

        string? phone = null;
        if (errors.Required("customer.phone", c.Phone) && (phone = PhoneNumber.Normalize(c.Phone)) is null)
            errors.Add("customer.phone", "Not a valid Spanish phone number (612345678, +34612345678 or 0034612345678).");

        if (errors.Required("customer.birthDate", c.BirthDate))
        {
            if (c.BirthDate!.Value > today) errors.Add("customer.birthDate", "The birth date is in the future.");
            else if (c.BirthDate.Value.AddYears(AdultAge) > today) errors.Add("customer.birthDate", $"The customer must be at least {AdultAge}.");
        }

        var address = ValidateAddress(errors, "customer.address", c.Address);

        string? iban = null;
        if (paymentType == PaymentType.Postpaid && errors.Required("customer.iban", c.Iban) && (iban = Iban.Normalize(c.Iban)) is null)
            errors.Add("customer.iban", "Not a valid IBAN (the mod-97 check fails or the format is wrong).");
        else if (paymentType != PaymentType.Postpaid && !string.IsNullOrWhiteSpace(c.Iban) && (iban = Iban.Normalize(c.Iban)) is null)
            errors.Add("customer.iban", "Not a valid IBAN (the mod-97 check fails or the format is wrong).");

        if (document is null || email is null || phone is null || address is null || c.BirthDate is null) return null;
        return new SignupCustomer(
            c.DocumentType!.Trim().ToLowerInvariant(), document, c.FirstName!.Trim(), c.LastName!.Trim(), email, phone,
            c.BirthDate.Value, address, iban);
    }

    private static PostalAddress? ValidateAddress(ValidationErrors errors, string field, AddressRequest? a) =>
        errors.Required(field, a) ? PostalAddresses.Validate(errors, field, a!.Street, a.City, a.PostalCode, a.Province, a.Country) : null;

    private static List<ValidLine> ValidateLines(ValidationErrors errors, IReadOnlyList<LineRequest>? lines, SalesChannel? channel, PaymentType? paymentType)
    {
        var valid = new List<ValidLine>();
        if (lines is null || lines.Count == 0)
        {
            errors.Add("lines", "A sale has at least one line.");
            return valid;
        }
        if (lines.Count > MaxLines) errors.Add("lines", $"A sale has at most {MaxLines} lines.");

        for (var i = 0; i < lines.Count; i++)
            if (ValidateLine(errors, $"lines[{i}]", lines[i], channel, paymentType) is { } line) valid.Add(line);

        var repeated = valid.Where(l => l.Number is not null).GroupBy(l => l.Number).Where(g => g.Count() > 1).Select(g => g.Key);
        foreach (var number in repeated) errors.Add("lines", $"The number {number} appears on more than one line.");
        var sims = valid.Where(l => l.Iccid is not null).GroupBy(l => l.Iccid).Where(g => g.Count() > 1).Select(g => g.Key);
        foreach (var iccid in sims) errors.Add("lines", $"The SIM {iccid} appears on more than one line.");
        return valid;
    }

    /// <summary>One line's formats; <paramref name="field"/> prefixes the names (<c>lines[1]</c>, or empty for a body that is one line).</summary>
    public static ValidLine? ValidateLine(ValidationErrors errors, string field, LineRequest? line, SalesChannel? channel, PaymentType? paymentType)
    {
        var at = field.Length == 0 ? "" : field + ".";
        if (!errors.Required(field.Length == 0 ? "body" : field, line)) return null;
        var hasType = errors.Required($"{at}type", line!.Type);
        errors.Required($"{at}productCode", line.ProductCode);
        if (!hasType) return null;

        string? number = null, iccid = null, donorIccid = null;
        var kind = line.Type switch { SubscriptionType.Mobile => NumberKind.Mobile, SubscriptionType.Fixed => NumberKind.Fixed, _ => (NumberKind?)null };
        if (kind is not null)
        {
            var mode = line.NumberMode;
            errors.Required($"{at}numberMode", mode);
            var numberRequired = mode == NumberMode.Portability;
            if (numberRequired ? errors.Required($"{at}number", line.Number) : line.Number is not null)
            {
                number = PhoneNumber.Normalize(line.Number);
                if (number is null || !PhoneNumber.IsSellableLine(number, kind.Value))
                    errors.Add($"{at}number", $"Not a {kind.Value.ToString().ToLowerInvariant()} number that can be sold as a line.");
            }
            if (mode == NumberMode.New && line.Number is not null && line.ReservationId is null)
                errors.Add($"{at}reservationId", "A chosen number needs its reservation (POST /msisdns/{msisdn}/reservations); leave the number out to get one from stock.");
            if (mode == NumberMode.Portability)
            {
                if (errors.Required($"{at}donorOperator", line.DonorOperator) && !MasterDataSet.IsDonorOperator(line.DonorOperator))
                    errors.Add($"{at}donorOperator", $"One of {string.Join(", ", MasterDataSet.DonorOperators.Select(d => d.Code))}.");
                if (paymentType == PaymentType.Prepaid && line.Type == SubscriptionType.Mobile
                    && errors.Required($"{at}donorIccid", line.DonorIccid))
                {
                    if (Iccid.IsValid(line.DonorIccid!.Trim())) donorIccid = line.DonorIccid.Trim();
                    else errors.Add($"{at}donorIccid", Iccid.Expected);
                }
            }
            if (line.Network is not null && MasterDataSet.NetworkOf(line.Network)?.Type != line.Type)
                errors.Add($"{at}network", $"One of {string.Join(", ", MasterDataSet.Networks.Where(n => n.Type == line.Type).Select(n => n.Code))}.");
        }
        else if (line.Number is not null || line.NumberMode is not null)
        {
            errors.Add($"{at}number", $"A {line.Type.ToString()!.ToLowerInvariant()} line has no number.");
        }

        if (line.Iccid is not null)
        {
            if (line.Type != SubscriptionType.Mobile) errors.Add($"{at}iccid", "Only a mobile line has a SIM.");
            else if (!Iccid.IsValid(line.Iccid.Trim())) errors.Add($"{at}iccid", Iccid.Expected);
            else iccid = line.Iccid.Trim();
        }
        else if (line.Type == SubscriptionType.Mobile && channel == SalesChannel.Store)
        {
            errors.Add($"{at}iccid", "A store sale names the SIM card handed over (scan its ICCID).");
        }
        return new ValidLine(line.Type!.Value, line.ProductCode?.Trim() ?? "", line.NumberMode, number, iccid,
            line.ReservationId, line.Network, line.DonorOperator, donorIccid);
    }
}
