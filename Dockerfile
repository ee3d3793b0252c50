# Multi-target image for the three processes. Build context: the repository root.
#   docker build --target public-api -t urbackend/public-api .
FROM node:20-bookworm-slim AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install -g pnpm@9
WORKDIR /app

FROM base AS build
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY packages/common/package.json packages/common/
COPY apps/dashboard-api/package.json apps/dashboard-api/
COPY apps/public-api/package.json apps/public-api/
COPY apps/web-dashboard/package.json apps/web-dashboard/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm build

FROM base AS server-deps
COPY --from=build /app /app
RUN pnpm install --frozen-lockfile --prod --ignore-scripts

FROM node:20-bookworm-slim AS dashboard-api
ENV NODE_ENV=production
WORKDIR /app
COPY --from=server-deps /app /app
RUN mkdir -p /data/storage && chown node:node /data/storage
USER node
EXPOSE 1234
WORKDIR /app/apps/dashboard-api
CMD ["node", "--enable-source-maps", "dist/main.js"]

FROM node:20-bookworm-slim AS public-api
ENV NODE_ENV=production
WORKDIR /app
COPY --from=server-deps /app /app
RUN mkdir -p /data/storage && chown node:node /data/storage
USER node
EXPOSE 1235
WORKDIR /app/apps/public-api
CMD ["node", "--enable-source-maps", "dist/main.js"]

FROM nginx:1.27-alpine AS web-dashboard
COPY --from=build /app/apps/web-dashboard/dist /usr/share/nginx/html
COPY docker/web-dashboard.nginx.conf /etc/nginx/conf.d/default.conf
EXPOSE 80
