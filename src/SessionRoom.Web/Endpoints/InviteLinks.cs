namespace SessionRoom.Web.Endpoints;

/// <summary>Builds the absolute link an invite token is shared as.</summary>
public static class InviteLinks
{
    /// <param name="publicUrl"><c>SessionRoom:PublicUrl</c>, preferred when set.</param>
    /// <param name="requestBase">The scheme and host the request came in on.</param>
    public static string Url(string? publicUrl, string requestBase, string token)
    {
        var root = string.IsNullOrWhiteSpace(publicUrl) ? requestBase : publicUrl;
        return $"{root.TrimEnd('/')}/join/{Uri.EscapeDataString(token)}";
    }
}
