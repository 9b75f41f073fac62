// The tests reach across features (a hub test reads presence rows and audit events): every feature namespace is in scope.
global using MeshMeet.Web.Accounts;
global using MeshMeet.Web.Audit;
global using MeshMeet.Web.Calls.Chat;
global using MeshMeet.Web.Calls.Hands;
global using MeshMeet.Web.Calls.Media;
global using MeshMeet.Web.Cluster;
global using MeshMeet.Web.Infrastructure;
global using MeshMeet.Web.Moderation;
global using MeshMeet.Web.Presence;
global using MeshMeet.Web.Rooms;
global using MeshMeet.Web.Signaling;
