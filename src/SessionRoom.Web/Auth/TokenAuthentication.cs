using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SessionRoom.Data.Stores;

namespace SessionRoom.Web.Auth;

/// <summary>Names of schemes, policies and claims, in one place.</summary>
public static class AuthNames
{
    /// <summary>Bearer tokens: the facilitator key, or a member access token.</summary>
    public const string Token = "Token";

    /// <summary>Cookie set by the sign-in page for the facilitator UI.</summary>
    public const string Cookie = "Cookie";

    /// <summary>Chooses <see cref="Token"/> when a token is presented, else <see cref="Cookie"/>.</summary>
    public const string Smart = "Smart";

    /// <summary>Policy: the caller holds the facilitator key (API bearer or UI cookie).</summary>
    public const string FacilitatorPolicy = "Facilitator";

    /// <summary>Policy: the caller is a member of a session (hub connections).</summary>
    public const string MemberPolicy = "Member";

    /// <summary>Claim saying how the caller proved who they are: <see cref="KeyHolder"/> or <see cref="SessionMember"/>.</summary>
    public const string KindClaim = "sr:kind";
    public const string KeyHolder = "facilitator-key";
    public const string SessionMember = "member";

    public const string SessionClaim = "sr:session";
    public const string MemberClaim = "sr:member";
    public const string RoleClaim = "sr:role";
    public const string CodeClaim = "sr:code";
}

/// <summary>
/// Authenticates <c>Authorization: Bearer</c> (or <c>?access_token=</c>, which browsers must use on the
/// WebSocket upgrade). The facilitator key yields a key holder; a member access token yields that
/// member of its one session. Anything else presented fails; nothing presented is left to the cookie.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    FacilitatorKey facilitatorKey,
    MemberStore members)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public static string? PresentedToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        // Browsers cannot set headers on a WebSocket upgrade, so the hub also takes ?access_token=.
        // Nowhere else: a key in a URL ends up in logs and browser history.
        if (!request.Path.StartsWithSegments("/hubs"))
        {
            return null;
        }
        var query = request.Query["access_token"].ToString();
        return string.IsNullOrEmpty(query) ? null : query;
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = PresentedToken(Request);
        if (token is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (token.Length > 512)
        {
            return Task.FromResult(AuthenticateResult.Fail("The token is not valid."));
        }
        if (facilitatorKey.Matches(token))
        {
            var identity = new ClaimsIdentity([new Claim(AuthNames.KindClaim, AuthNames.KeyHolder), new Claim(ClaimTypes.Name, "Facilitator")], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
        var member = members.FindByAccessToken(token);
        if (member is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The token is not valid or has been revoked."));
        }
        var memberIdentity = new ClaimsIdentity(
            [
                new Claim(AuthNames.KindClaim, AuthNames.SessionMember),
                new Claim(AuthNames.SessionClaim, member.SessionId.ToString()),
                new Claim(AuthNames.MemberClaim, member.MemberId.ToString()),
                new Claim(AuthNames.RoleClaim, member.Role),
                new Claim(AuthNames.CodeClaim, member.Code),
                new Claim(ClaimTypes.Name, member.DisplayName),
            ],
            Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(memberIdentity), Scheme.Name)));
    }
}
