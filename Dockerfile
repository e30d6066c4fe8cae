# In the manner of Shopify's app template (Shopify/shopify-app-template-react-router, Dockerfile):
# production dependencies only, NODE_ENV=production, started with npm. README, "Deploy".
FROM node:24-alpine

EXPOSE 3000

WORKDIR /app

ENV NODE_ENV=production
# The SQLite file, in the volume below: keep it across container upgrades.
ENV DATABASE_URL=/app/data/app.db

COPY package.json package-lock.json ./

# --ignore-scripts: no production dependency needs an install script (better-sqlite3 ships
# prebuilt binaries for glibc and musl), and an npm older than 11.16 would otherwise run its
# node-gyp step, which needs Python and a compiler.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY . .

RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME /app/data

# npm start is `exec node --max-semi-space-size=2 src/start.js`: Node replaces the shell, so the container's SIGTERM
# (forwarded by npm) reaches the app, which drains and stops within 10 s.
CMD ["npm", "start"]
