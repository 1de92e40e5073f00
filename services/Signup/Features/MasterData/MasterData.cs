using MasStack.Contracts;
using MasStack.Platform.Data;

namespace MasStack.Signup.Features.MasterData;

public sealed record Network(string Code, string Name, SubscriptionType Type, string? SimIssuer);

public sealed record DonorOperator(string Code, string Name);

public sealed record Province(string Code, string Name);

public sealed record MasterDataView(
    IReadOnlyList<string> DocumentTypes,
    IReadOnlyList<string> Channels,
    IReadOnlyList<Network> Networks,
    IReadOnlyList<string> SubscriptionTypes,
    IReadOnlyList<DonorOperator> DonorOperators,
    IReadOnlyList<CancellationMotive> CancellationMotives,
    IReadOnlyList<Province> Provinces,
    IReadOnlyList<string> PaymentTypes,
    IReadOnlyList<string> PaymentMethods,
    IReadOnlyList<string> NumberModes,
    IReadOnlyList<CancellationMotive> TerminationMotives);

/// <summary>
/// The reference data a sales client needs. It changes with a release, not at run time, so it lives in code;
/// the validation of a sale reads the same lists the client was shown.
/// </summary>
public static class MasterDataSet
{
    public const string MobileNetwork = "masmovil";
    public const string SecondMobileNetwork = "yoigo";
    public const string FixedNetwork = "masmovil-fixed";

    public static readonly IReadOnlyList<Network> Networks =
    [
        new(MobileNetwork, "MásMóvil", SubscriptionType.Mobile, "893425"),
        new(SecondMobileNetwork, "Yoigo", SubscriptionType.Mobile, "893426"),
        new(FixedNetwork, "MásMóvil Fijo", SubscriptionType.Fixed, null),
    ];

    public static readonly IReadOnlyList<DonorOperator> DonorOperators =
    [
        new("movistar", "Movistar"), new("vodafone", "Vodafone"), new("orange", "Orange"), new("digi", "Digi"), new("o2", "O2"),
        new("lowi", "Lowi"), new("simyo", "Simyo"), new("pepephone", "Pepephone"),
    ];

    // The one list Subscription accepts as a cancellation motiveId.
    public static readonly IReadOnlyList<CancellationMotive> CancellationMotives = Contracts.CancellationMotives.All;

    public static readonly IReadOnlyList<Province> Provinces = new[]
    {
        "Álava", "Albacete", "Alicante", "Almería", "Ávila", "Badajoz", "Illes Balears", "Barcelona", "Burgos", "Cáceres", "Cádiz",
        "Castellón", "Ciudad Real", "Córdoba", "A Coruña", "Cuenca", "Girona", "Granada", "Guadalajara", "Gipuzkoa", "Huelva", "Huesca",
        "Jaén", "León", "Lleida", "La Rioja", "Lugo", "Madrid", "Málaga", "Murcia", "Navarra", "Ourense", "Asturias", "Palencia",
        "Las Palmas", "Pontevedra", "Salamanca", "Santa Cruz de Tenerife", "Cantabria", "Segovia", "Sevilla", "Soria", "Tarragona",
        "Teruel", "Toledo", "Valencia", "Valladolid", "Bizkaia", "Zamora", "Zaragoza", "Ceuta", "Melilla",
    }.Select((name, i) => new Province((i + 1).ToString("D2"), name)).ToList(); // the code is the postal code's first two digits

    public static readonly IReadOnlyList<string> PaymentMethods = ["card", "cash", "direct-debit"];

    public static MasterDataView View { get; } = new(
        ["dni", "nie", "passport", "cif"],
        Enum.GetValues<SalesChannel>().Select(EnumText.Of).ToList(),
        Networks,
        Enum.GetValues<SubscriptionType>().Select(EnumText.Of).ToList(),
        DonorOperators,
        CancellationMotives,
        Provinces,
        Enum.GetValues<PaymentType>().Select(EnumText.Of).ToList(),
        PaymentMethods,
        Enum.GetValues<NumberMode>().Select(EnumText.Of).ToList(),
        Contracts.TerminationMotives.All);

    public static Network? NetworkOf(string? code) => Networks.FirstOrDefault(n => n.Code == code);

    public static bool IsDonorOperator(string? code) => DonorOperators.Any(d => d.Code == code);
}

public static class MasterDataApi
{
    public static IEndpointRouteBuilder MapMasterDataApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/master-data", () => TypedResults.Ok(MasterDataSet.View)).WithTags("Master data");
        return app;
    }
}
