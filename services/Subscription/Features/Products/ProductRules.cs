using MasStack.Contracts;

namespace MasStack.Subscription.Features.Products;

/// <summary>Which tariffs a line may move to: same subscription type, and within the account's bundle.</summary>
public static class ProductRules
{
    /// <summary>
    /// The products the line may change to, the current one excluded: those of the bundle's slot for the line's type,
    /// or, when the bundle is not known here, those of the type sold for the account's payment type.
    /// </summary>
    public static IReadOnlyList<CatalogueProduct> Alternatives(
        Catalogue catalogue, SubscriptionType type, string currentCode, string? bundleCode, PaymentType? paymentType) =>
        catalogue.Products
            .Where(p => p.Code != currentCode && Refusal(catalogue, type, p, bundleCode, paymentType) is null)
            .ToList();

    /// <summary>Why the line may not take <paramref name="target"/>, or null when it may.</summary>
    public static string? Refusal(Catalogue catalogue, SubscriptionType type, CatalogueProduct target, string? bundleCode, PaymentType? paymentType)
    {
        if (target.Type != type) return $"{target.Code} is a {Text(target.Type)} product; the line is {Text(type)}.";
        if (bundleCode is not null && catalogue.Bundle(bundleCode) is { } bundle)
            return bundle.Offers(type, target.Code) ? null : $"The account's bundle {bundle.Code} does not offer {target.Code} for a {Text(type)} line.";
        return paymentType is { } payment && !target.PaymentTypes.Contains(payment)
            ? $"{target.Code} is not sold to {Text(payment)} accounts."
            : null;
    }

    private static string Text<T>(T value) where T : struct, Enum => Platform.Data.EnumText.Of(value);
}
