# One image for both process types of the fleet (docker-compose.yml): `npm start` (web) or
# `npm run worker`. Node 20 (package.json engines), production build inside.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY scripts ./scripts
# postinstall generates both Prisma clients (SQLite and PostgreSQL); dev dependencies build the app.
RUN NODE_ENV=development npm ci --no-audit --no-fund
COPY . .
RUN npm run build
EXPOSE 3000
CMD ["npm", "start"]
