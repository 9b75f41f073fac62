# MeshMeet's container image: built with the .NET SDK (and Node for the front-end packages), run on the chiseled
# ASP.NET runtime image, which has no shell and runs as a non-root user (uid 1654). Configuration by environment
# variables (README, "Configuration"); deploy/compose.yaml runs two of these behind nginx.
#   docker build -t meshmeet .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish MeshMeet.Web -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "MeshMeet.Web.dll"]
