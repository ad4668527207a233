# SessionRoom: build and publish with the SDK, run on the smaller ASP.NET runtime image.
# The publish command below is the one e2e/SessionRoom.E2ETests/PublishTests.cs runs and starts,
# so a publish that would break this image breaks the tests first.

FROM node:20-bookworm-slim AS npm
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY --from=npm /src/node_modules/ node_modules/
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
COPY wwwroot/ wwwroot/
RUN dotnet publish src/SessionRoom.Web/SessionRoom.Web.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# The image's non-root "app" user owns the data volume (SQLite file and cookie keys).
RUN mkdir -p /data && chown app:app /data
USER app
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    SessionRoom__DataDirectory=/data
VOLUME ["/data"]
EXPOSE 8080
# The runtime image has no curl: the app probes itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["dotnet", "SessionRoom.Web.dll", "healthcheck", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["dotnet", "SessionRoom.Web.dll"]
